// The `autodl` command tree: the list of commands, each one file under ./commands (names,
// arguments, options, help with examples and its run together: see ./command.ts). Those
// modules and the SDK are small and imported here statically (every extra ES module costs
// node a file to resolve, read and link); what is heavy — zod, yaml, better-sqlite3, the
// simulator, the MCP SDK — they load with a dynamic import() where they need it. Never import
// those at the top level of anything under here. (`autodl --help` itself never gets here: see ./bin.ts.)
import { Argument, Command, Option } from 'commander';
import { getLang, t, type MessageKey } from '../i18n/index.js';
import { displayWidth, stripAnsi } from './output.js';
import type { CliCommand } from './command.js';
import { stdErr, stdOut } from './std.js';
import { command as blacklist } from './commands/blacklist.js';
import { command as containers } from './commands/containers.js';
import { command as cost } from './commands/cost.js';
import { command as create } from './commands/create.js';
import { command as ddp } from './commands/ddp.js';
import { command as deleteCommand } from './commands/delete.js';
import { command as demo } from './commands/demo.js';
import { command as deployments } from './commands/deployments.js';
import { command as describeCommand } from './commands/describe.js';
import { command as events } from './commands/events.js';
import { command as images } from './commands/images.js';
import { command as login } from './commands/login.js';
import { command as auth, logoutCommand as logout } from './commands/auth.js';
import { command as completion } from './commands/completion.js';
import { command as init } from './commands/init.js';
import { command as mcp } from './commands/mcp.js';
import { command as notifyTest } from './commands/notify-test.js';
import { command as queue } from './commands/queue.js';
import { command as scale } from './commands/scale.js';
import { command as schema } from './commands/schema.js';
import { command as sim } from './commands/sim.js';
import { command as skill } from './commands/skill-install.js';
import { command as ssh } from './commands/ssh.js';
import { command as stock } from './commands/stock.js';
import { command as stop } from './commands/stop.js';
import { command as stopContainer } from './commands/stop-container.js';
import { command as submit } from './commands/submit.js';
import { command as sweep } from './commands/sweep.js';
import { command as ttl } from './commands/ttl.js';
import { command as validate } from './commands/validate.js';
import { command as wait } from './commands/wait.js';
import { command as watch } from './commands/watch.js';
import pkg from '../../package.json' with { type: 'json' };

/**
 * Every top-level command, in the order of the help. `buildProgram(name)` declares only the
 * one a run is for, `buildProgram()` all of them.
 */
export const COMMANDS: readonly CliCommand[] = [
  // read
  images,
  stock,
  deployments,
  describeCommand,
  containers,
  events,
  ddp,
  blacklist,
  // change
  create,
  submit,
  scale,
  stopContainer,
  stop,
  deleteCommand,
  // configs (init asks the API for images and stock), offline
  init,
  validate,
  login,
  logout,
  auth,
  completion,
  sim,
  schema,
  demo,
  // agents: MCP server and skill (issue 7)
  mcp,
  skill,
  // after the submit: watch, wait, cost, ssh, notify-test (issue 5)
  watch,
  wait,
  cost,
  ssh,
  notifyTest,
  // the durable queue and sweeps (issue 4)
  queue,
  sweep,
  // pay only for work (issue 16)
  ttl,
];

const TITLES: Record<string, MessageKey> = {
  'Usage:': 'help.title.usage',
  'Options:': 'help.title.options',
  'Commands:': 'help.title.commands',
  'Arguments:': 'help.title.arguments',
  'Global Options:': 'help.title.globalOptions',
};

/** The notes commander adds after a description — "(default: 2)" — in the catalog's words. */
function withNotes(description: string, notes: string[]): string {
  if (notes.length === 0) return description;
  const open = getLang() === 'zh' ? '（' : '(';
  const close = getLang() === 'zh' ? '）' : ')';
  const sep = getLang() === 'zh' ? '；' : ', ';
  const note = `${open}${notes.join(sep)}${close}`;
  if (!description) return note;
  return getLang() === 'zh' ? `${description}${note}` : `${description} ${note}`;
}

const shown = (v: unknown) => JSON.stringify(v);

/**
 * Help in the language of the run: section titles and option notes from the catalog (the
 * English ones are commander's, byte for byte); widths counted as a terminal shows them (a
 * Chinese character takes two columns), so wrapped help stays aligned.
 */
function localizedHelp() {
  return {
    // a command's help also lists the options it inherits (--json, --lang…, queue's --db)
    showGlobalOptions: true,
    styleTitle: (title: string) => {
      const key = TITLES[title];
      return key ? t(key) : title;
    },
    displayWidth: (s: string) => displayWidth(stripAnsi(s)),
    optionDescription: (o: Option) => {
      const notes: string[] = [];
      if (o.argChoices) notes.push(t('help.note.choices', { values: o.argChoices.map(shown).join(', ') }));
      const showDefault = o.required || o.optional || (o.isBoolean() && typeof o.defaultValue === 'boolean');
      if (o.defaultValue !== undefined && showDefault) notes.push(t('help.note.default', { value: o.defaultValueDescription || shown(o.defaultValue) }));
      if (o.presetArg !== undefined && o.optional) notes.push(t('help.note.preset', { value: shown(o.presetArg) }));
      if (o.envVar !== undefined) notes.push(t('help.note.env', { name: o.envVar }));
      return withNotes(o.description, notes);
    },
    argumentDescription: (a: Argument) => {
      const notes: string[] = [];
      if (a.argChoices) notes.push(t('help.note.choices', { values: a.argChoices.map(shown).join(', ') }));
      if (a.defaultValue !== undefined) notes.push(t('help.note.default', { value: a.defaultValueDescription || shown(a.defaultValue) }));
      return withNotes(a.description, notes);
    },
  };
}

export function buildProgram(only?: string): Command {
  const program = new Command('autodl');
  program
    .description(t('program.description'))
    .version(pkg.version, '-V, --version', t('opt.version'))
    .helpOption('-h, --help', t('opt.help'))
    .helpCommand('help [command]', t('help.command'))
    .option('--json', t('opt.json'))
    .addOption(new Option('--no-json').hideHelp())
    .addOption(new Option('--lang <lang>', t('opt.lang')).choices(['zh', 'en']))
    .option('--host <url>', t('opt.host'))
    .addOption(new Option('--dialect <dialect>', t('opt.dialect')).choices(['private', 'public']))
    .option('--verbose', t('opt.verbose'))
    .option('--utc', t('opt.utc'))
    .showSuggestionAfterError(true)
    .configureHelp(localizedHelp())
    .exitOverride()
    .configureOutput({
      // Parse errors are reported by the top-level handler (JSON or coloured text).
      outputError: () => {},
      // help and version text through the CLI's own stdout/stderr (./std.ts)
      writeOut: (text) => stdOut.write(text),
      writeErr: (text) => stdErr.write(text),
    });

  const chosen = only === undefined ? undefined : COMMANDS.find((c) => c.names.includes(only));
  for (const c of chosen ? [chosen] : COMMANDS) c.declare(program);
  return program;
}

/**
 * The command a run is for: the first word after the global options (for `help <word>`, that
 * word). Only it is declared, which saves declaring some thirty others on every run; an
 * unknown word gets the whole tree, for commander's "did you mean" suggestion.
 */
export function commandWord(argv: readonly string[]): string | undefined {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    const width = globalOptionWidth(argv, i);
    if (width > 0) i += width - 1;
    else if (!a.startsWith('-')) words.push(a);
    else if (words.length === 0) return undefined;
  }
  return words[0] === 'help' ? words[1] : words[0];
}

const GLOBAL_FLAGS: ReadonlySet<string> = new Set(['--json', '--no-json', '--verbose', '--utc']);
const GLOBAL_WITH_VALUE: ReadonlySet<string> = new Set(['--lang', '--host', '--dialect']);

/** How many tokens the global option at argv[i] spans (1, or 2 with its value), 0 when it is none. */
export function globalOptionWidth(argv: readonly string[], i: number): number {
  const a = argv[i]!;
  if (GLOBAL_FLAGS.has(a) || /^--(lang|host|dialect)=/.test(a)) return 1;
  return GLOBAL_WITH_VALUE.has(a) ? 2 : 0;
}
