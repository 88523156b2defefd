// Build step: render the top-level help of the real command tree in each language, at
// commander's default width (80) and at a very wide one, and print them as JSON for the
// entry's fast path (src/cli/fast.ts). Run by scripts/build.mjs from a temporary bundle.
import { setLang } from '../src/i18n/index.js';
import type { HelpData } from '../src/cli/fast.js';
import { buildProgram } from '../src/cli/program.js';
import pkg from '../package.json' with { type: 'json' };

function render(width: number): string {
  const program = buildProgram();
  program.configureOutput({ getOutHelpWidth: () => width, getOutHasColors: () => false });
  return program.helpInformation();
}

const help = {} as HelpData['help'];
for (const lang of ['en', 'zh'] as const) {
  setLang(lang);
  const text = render(80);
  help[lang] = { text, wide: render(100_000) === text };
}
const data: HelpData = { version: pkg.version, help };
process.stdout.write(JSON.stringify(data));
