// The `autodl` command line after the entry's fast path (see ./bin.ts): language, the
// command tree, one run, the exit code. Errors are reported by ./runtime.ts.
import { CommanderError } from 'commander';
import { detectLang, isLang, setLang } from '../i18n/index.js';
import { buildProgram, commandWord, globalOptionWidth } from './program.js';
import { exitCodeAfterRun, handleError } from './runtime.js';
import { stdErr, stdOut } from './std.js';

/** What the top-level handler needs before commander has parsed anything. */
export interface EarlyOptions {
  json?: boolean;
  verbose: boolean;
}

function prescan(argv: string[]): EarlyOptions & { lang?: string | undefined } {
  const out: EarlyOptions & { lang?: string | undefined } = { verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--json') out.json = true;
    else if (a === '--no-json') out.json = false;
    else if (a === '--verbose') out.verbose = true;
    else if (a === '--lang') out.lang = argv[i + 1];
    else if (a.startsWith('--lang=')) out.lang = a.slice('--lang='.length);
  }
  return out;
}

/**
 * True when the arguments hold global options only (no command), e.g. `autodl --lang zh`:
 * that is a request for help, not a usage error.
 */
function onlyGlobalOptions(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const width = globalOptionWidth(argv, i);
    if (width === 0 || i + width > argv.length) return false; // a missing value: commander reports it
    i += width - 1;
  }
  return true;
}

/**
 * A reader that closes the pipe early (`autodl queue prune --help | head -1`) ends the output,
 * not the program with a stack trace: commander writes help before any command runs, so the
 * handler is set here, for every path (runtime.ts's runCommand sets the same for a run).
 */
function quietOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  const args = argv.slice(2);
  const early = prescan(args);
  setLang(detectLang(early.lang, process.env));
  const program = buildProgram(commandWord(args));
  let code = 0;
  try {
    if (onlyGlobalOptions(args) && (early.lang === undefined || isLang(early.lang))) {
      program.outputHelp();
    } else {
      await program.parseAsync(argv);
    }
    code = exitCodeAfterRun();
    if (code < 0) return; // a long-running command (sim) keeps the process alive
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) {
      code = 0;
    } else {
      code = handleError(e, early);
    }
  }
  // Flush both streams, then exit (open sockets must not keep a finished command alive).
  stdOut.write('', () => stdErr.write('', () => process.exit(code)));
}

void main(process.argv);
