// What a command file under ./commands exports: the words that select it, how to declare it
// on the program (arguments, options, help with examples) and its run, together (in the manner
// of gh's pkg/cmd/<noun>/<verb>). ./program.ts is only the list of them. Light on purpose:
// commander, the catalog and the dispatcher only (everything heavy is a dynamic import in a run).
import { Option, type Command } from 'commander';
import { t, type MessageKey } from '../i18n/index.js';
import { runCommand, type CliContext } from './runtime.js';

/** A command's run: the positional arguments and the options as commander parsed them, typed. */
export type Run<Args extends unknown[], Opts> = (ctx: CliContext, args: Args, opts: Opts) => Promise<void>;

/** One example of a command's help: the command line and the catalog key of its caption. */
export type Example = readonly [line: string, caption: MessageKey];

export interface CliCommand {
  /** The top-level word and its aliases (buildProgram(word) declares only the command they name). */
  readonly names: readonly string[];
  /** Declare it, with its subcommands, on the program. */
  declare(program: Command): void;
  /** Every example its help shows, subcommands' included (a test holds them to the CLI). */
  readonly examples: readonly Example[];
}

/**
 * The commander action that runs `run`: commander calls an action with the positional
 * arguments, then the options object, then the command; the options are the command's own
 * (the global ones reach the run through its context).
 */
export function action<Args extends unknown[], Opts>(run: Run<Args, Opts>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    await runCommand(command, (ctx) => run(ctx, args.slice(0, -2) as Args, command.opts() as Opts));
  };
}

/** An Examples section after the command's help, in the language of the run. */
export function withExamples(command: Command, examples: readonly Example[]): Command {
  if (examples.length === 0) return command;
  return command.addHelpText('after', () => `\n${t('help.examples')}\n${examples.map(([line, caption]) => `  ${t(caption)}\n    $ ${line}`).join('\n')}\n`);
}

/** `--dry-run` as the changing commands take it. */
export function dryRunOption(): Option {
  return new Option('--dry-run', t('opt.dryRun'));
}

/**
 * The action of a command group (`autodl queue`, `autodl skill`) run without a sub-command:
 * the group's help on stdout and exit 0 — what the user asked for is what the group does.
 * An unknown word after the group stays commander's "unknown command" error.
 */
export function groupHelp(this: Command): void {
  if (this.args.length > 0) {
    // commander's own message, with its "Did you mean …?" among the real sub-commands
    const own = (this as unknown as { unknownCommand?: () => never }).unknownCommand;
    if (typeof own === 'function') own.call(this);
    this.error(`unknown command '${String(this.args[0])}'`, { code: 'commander.unknownCommand' });
  }
  this.help();
}
