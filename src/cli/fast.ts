// The answers `autodl` can give without loading anything: top-level help and the version.
// Commander renders the same help in about as long as node takes to start, so the build
// renders it once per language (scripts/help-render.ts, with the real command tree) and the
// entry prints it. A test checks that these answers equal what the full CLI prints.
import { detectLang, isLang, type Lang } from '../i18n/detect.js';

export interface HelpData {
  version: string;
  /**
   * The top-level help per language, as commander renders it at its default width of 80
   * columns (what it uses when stdout is not a terminal). `wide` is true when the text is
   * the same at any width above 80, i.e. nothing in it was wrapped.
   */
  help: Record<Lang, { text: string; wide: boolean }>;
}

/** The width commander would wrap help to: the terminal's columns, or 80 when not a terminal. */
function helpWidth(columns: number | undefined): number {
  return columns ?? 80;
}

/**
 * What to print for these arguments (process.argv.slice(2)), or undefined when the full CLI
 * must answer. Only the exact forms `autodl`, `autodl --help|-h|help`, `autodl --version|-V`,
 * each with an optional valid `--lang zh|en`, are answered here.
 */
export function fastOutput(
  args: readonly string[],
  env: Record<string, string | undefined>,
  columns: number | undefined,
  data: HelpData,
): string | undefined {
  let lang: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--lang') {
      lang = args[++i];
      if (!isLang(lang)) return undefined; // commander reports the bad value
    } else if (a.startsWith('--lang=')) {
      lang = a.slice('--lang='.length);
      if (!isLang(lang)) return undefined;
    } else rest.push(a);
  }
  if (rest.length > 1) return undefined;
  const [only] = rest;
  if (only === '--version' || only === '-V') return `${data.version}\n`;
  if (only !== undefined && only !== '--help' && only !== '-h' && only !== 'help') return undefined;
  const help = data.help[detectLang(lang, env)];
  const width = helpWidth(columns);
  if (width === 80 || (width > 80 && help.wide)) return help.text;
  return undefined; // a narrow terminal, or a wide one where the text was wrapped: let commander wrap it
}
