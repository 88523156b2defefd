// The `autodl` command tree: names, descriptions, options; each command's implementation
// lives in ./commands/<name>.ts. Those modules and the SDK are small and imported here
// statically (every extra ES module costs node a file to resolve, read and link); what is
// heavy — zod, yaml, better-sqlite3, the simulator, the MCP SDK — they load with a dynamic
// import() where they need it. Never import those at the top level of anything under here.
// (`autodl --help` itself never gets here: see ./bin.ts.)
import { Command, Option } from 'commander';
import { t } from '../i18n/index.js';
import { collect, delaySeconds, expireMinutes, intervalSeconds, nonNegativeInt, nonNegativeNumber, port, positiveNumber, speed, timeoutSeconds } from './args.js';
import { runCommand, type CommandModule } from './runtime.js';
import * as blacklistAddCmd from './commands/blacklist-add.js';
import * as blacklistLsCmd from './commands/blacklist-ls.js';
import * as containersCmd from './commands/containers.js';
import * as costCmd from './commands/cost.js';
import * as createCmd from './commands/create.js';
import * as deleteCmd from './commands/delete.js';
import * as demoCmd from './commands/demo.js';
import * as deploymentsCmd from './commands/deployments.js';
import * as describeCmd from './commands/describe.js';
import * as eventsCmd from './commands/events.js';
import * as imagesCmd from './commands/images.js';
import * as loginCmd from './commands/login.js';
import * as mcpCmd from './commands/mcp.js';
import * as notifyTestCmd from './commands/notify-test.js';
import * as queueAddCmd from './commands/queue-add.js';
import * as queueCancelCmd from './commands/queue-cancel.js';
import * as queueLsCmd from './commands/queue-ls.js';
import * as queuePriorityCmd from './commands/queue-priority.js';
import * as queueRetryCmd from './commands/queue-retry.js';
import * as queueRunCmd from './commands/queue-run.js';
import * as queueShowCmd from './commands/queue-show.js';
import * as scaleCmd from './commands/scale.js';
import * as schemaCmd from './commands/schema.js';
import * as simCmd from './commands/sim.js';
import * as skillInstallCmd from './commands/skill-install.js';
import * as sshCmd from './commands/ssh.js';
import * as stockCmd from './commands/stock.js';
import * as stopCmd from './commands/stop.js';
import * as stopContainerCmd from './commands/stop-container.js';
import * as submitCmd from './commands/submit.js';
import * as sweepCmd from './commands/sweep.js';
import * as validateCmd from './commands/validate.js';
import * as waitCmd from './commands/wait.js';
import * as watchCmd from './commands/watch.js';
import { integerArg, paramArg } from './commands/queue-args.js';
import pkg from '../../package.json' with { type: 'json' };

function run(module: CommandModule) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    await runCommand(command, positional, () => Promise.resolve(module));
  };
}

function dryRun(): Option {
  return new Option('--dry-run', t('opt.dryRun'));
}

/**
 * Each top-level command: its name and aliases, and how to declare it. `buildProgram(name)`
 * declares only that one (what a run of that command needs), `buildProgram()` all of them.
 */
const COMMANDS: Array<[names: string[], declare: (program: Command) => void]> = [
  // ---------- read ----------
  [
    ['images'],
    (program) => {
      program
        .command('images')
        .description(t('cmd.images'))
        .option('--system', t('cmd.images.system'))
        .action(run(imagesCmd));
    },
  ],
  [
    ['stock'],
    (program) => {
      program
        .command('stock')
        .description(t('cmd.stock'))
        .option('--region <sign>', t('cmd.stock.region'))
        .option('--dc <id...>', t('cmd.stock.dc'))
        .option('--gpu <name...>', t('cmd.stock.gpu'))
        .action(run(stockCmd));
    },
  ],
  [
    ['deployments', 'ls'],
    (program) => {
      program
        .command('deployments')
        .alias('ls')
        .description(t('cmd.deployments'))
        .option('--name <name>', t('cmd.deployments.name'))
        .option('--status <status>', t('cmd.deployments.status'))
        .action(run(deploymentsCmd));
    },
  ],
  [
    ['describe'],
    (program) => {
      program
        .command('describe')
        .description(t('cmd.describe'))
        .argument('<deployment>', t('arg.deployment'))
        .option('--events <n>', t('cmd.describe.events'), nonNegativeInt, 10)
        .action(run(describeCmd));
    },
  ],
  [
    ['containers'],
    (program) => {
      program
        .command('containers')
        .description(t('cmd.containers'))
        .argument('<deployment>', t('arg.deployment'))
        .option('--status <status...>', t('cmd.containers.status'))
        .option('--gpu <name>', t('cmd.containers.gpu'))
        .option('--released', t('cmd.containers.released'))
        .option('--no-released', t('cmd.containers.released'))
        .option('--container <uuid>', t('cmd.containers.container'))
        .option('--date-from <date>', t('cmd.containers.dateFrom'))
        .option('--date-to <date>', t('cmd.containers.dateTo'))
        .option('--cpu-from <n>', t('cmd.containers.cpuFrom'), nonNegativeNumber)
        .option('--cpu-to <n>', t('cmd.containers.cpuTo'), nonNegativeNumber)
        .option('--mem-from <gb>', t('cmd.containers.memFrom'), nonNegativeNumber)
        .option('--mem-to <gb>', t('cmd.containers.memTo'), nonNegativeNumber)
        .option('--price-from <milli-yuan>', t('cmd.containers.priceFrom'), nonNegativeNumber)
        .option('--price-to <milli-yuan>', t('cmd.containers.priceTo'), nonNegativeNumber)
        .action(run(containersCmd));
    },
  ],
  [
    ['events'],
    (program) => {
      program
        .command('events')
        .description(t('cmd.events'))
        .argument('<deployment>', t('arg.deployment'))
        .option('-f, --follow', t('cmd.events.follow'))
        .option('--container <uuid>', t('cmd.events.container'))
        .option('--interval <seconds>', t('cmd.events.interval'), intervalSeconds, 2)
        .action(run(eventsCmd));
    },
  ],
  [
    ['blacklist'],
    (program) => {
      // `blacklist <container>` adds, `blacklist` alone lists; `blacklist add|ls` say it outright
      const blacklist = program
        .command('blacklist')
        .description(t('cmd.blacklist'))
        .argument('[container]', t('cmd.blacklist.arg'))
        .option('--comment <text>', t('cmd.blacklist.comment'))
        .option('--expire-minutes <n>', t('cmd.blacklist.expire'), expireMinutes)
        .addOption(dryRun())
        .action((...args: unknown[]) => (args[0] === undefined ? run(blacklistLsCmd) : run(blacklistAddCmd))(...args));
      // the group parses these options wherever they stand: hand them to `add`
      blacklist.hook('preAction', (group, action) => {
        if (action === group) return;
        for (const key of ['comment', 'expireMinutes', 'dryRun']) {
          const v: unknown = group.getOptionValue(key);
          if (v !== undefined && action.getOptionValue(key) === undefined) action.setOptionValue(key, v);
        }
      });
      blacklist
        .command('ls')
        .alias('list')
        .description(t('cmd.blacklist.ls'))
        .action(run(blacklistLsCmd));
      blacklist
        .command('add')
        .description(t('cmd.blacklist.add'))
        .argument('<container>', t('arg.container'))
        .option('--comment <text>', t('cmd.blacklist.comment'))
        .option('--expire-minutes <n>', t('cmd.blacklist.expire'), expireMinutes)
        .addOption(dryRun())
        .action(run(blacklistAddCmd));
    },
  ],
  // ---------- change ----------
  [
    ['create'],
    (program) => {
      program
        .command('create')
        .description(t('cmd.create'))
        .argument('<config>', t('arg.config'))
        .addOption(dryRun())
        .action(run(createCmd));
    },
  ],
  [
    ['submit', 'queue-submit'],
    (program) => {
      program
        .command('submit')
        .alias('queue-submit')
        .description(t('cmd.submit'))
        .argument('<config>', t('arg.config'))
        .option('--interval <seconds>', t('cmd.submit.interval'), intervalSeconds, 30)
        .option('--timeout <seconds>', t('cmd.submit.timeout'), timeoutSeconds, 0)
        .option('--db <path>', t('cmd.submit.db'))
        .option('--settle <seconds>', t('cmd.submit.settle'), timeoutSeconds)
        .addOption(dryRun())
        .action(run(submitCmd));
    },
  ],
  [
    ['scale'],
    (program) => {
      program
        .command('scale')
        .description(t('cmd.scale'))
        .argument('<deployment>', t('arg.deployment'))
        .argument('<n>', t('arg.replicas'), nonNegativeInt)
        .addOption(dryRun())
        .action(run(scaleCmd));
    },
  ],
  [
    ['stop-container'],
    (program) => {
      program
        .command('stop-container')
        .description(t('cmd.stopContainer'))
        .argument('<container>', t('arg.container'))
        .option('--decrease-replica', t('cmd.stopContainer.decrease'))
        .option('--no-cache', t('cmd.stopContainer.noCache'))
        .option('--cmd-before-shutdown <cmd>', t('cmd.stopContainer.before'))
        .addOption(dryRun())
        .action(run(stopContainerCmd));
    },
  ],
  [
    ['stop'],
    (program) => {
      program
        .command('stop')
        .description(t('cmd.stop'))
        .argument('<deployment>', t('arg.deployment'))
        .addOption(dryRun())
        .action(run(stopCmd));
    },
  ],
  [
    ['delete', 'rm'],
    (program) => {
      program
        .command('delete')
        .alias('rm')
        .description(t('cmd.delete'))
        .argument('<deployment>', t('arg.deployment'))
        .addOption(dryRun())
        .action(run(deleteCmd));
    },
  ],
  // ---------- offline ----------
  [
    ['validate'],
    (program) => {
      program
        .command('validate')
        .description(t('cmd.validate'))
        .argument('<config>', t('arg.config'))
        .option('--strict', t('cmd.validate.strict'))
        .action(run(validateCmd));
    },
  ],
  [
    ['login'],
    (program) => {
      program
        .command('login')
        .description(t('cmd.login'))
        .option('--token-stdin', t('cmd.login.tokenStdin'))
        .action(run(loginCmd));
    },
  ],
  [
    ['sim'],
    (program) => {
      program
        .command('sim')
        .description(t('cmd.sim'))
        .option('--port <n>', t('cmd.sim.port'), port)
        .option('--token <token>', t('cmd.sim.token'), collect)
        .option('--speed <x>', t('cmd.sim.speed'), speed)
        .option('--manual', t('cmd.sim.manual'))
        .option('--seed <n>', t('cmd.sim.seed'), nonNegativeInt)
        .option('--no-background', t('cmd.sim.noBackground'))
        .action(run(simCmd));
    },
  ],
  [
    ['schema'],
    (program) => {
      program
        .command('schema')
        .description(t('cmd.schema'))
        .action(run(schemaCmd));
    },
  ],
  [
    ['demo'],
    (program) => {
      program
        .command('demo')
        .description(t('cmd.demo'))
        .argument('[config]', t('arg.config'))
        .option('--speed <x>', t('cmd.demo.speed'), speed)
        .option('--busy <seconds>', t('cmd.demo.busy'), delaySeconds)
        .option('--interval <seconds>', t('cmd.demo.interval'), intervalSeconds)
        .action(run(demoCmd));
    },
  ],
  // ---------- agents: MCP server and skill (issue 7) ----------
  [
    ['mcp'],
    (program) => {
      program
        .command('mcp')
        .description(t('mcp.description'))
        .action(run(mcpCmd));
    },
  ],
  [
    ['skill'],
    (program) => {
      program
        .command('skill')
        .description(t('skill.description'))
        .command('install')
        .description(t('skill.install.description'))
        .option('--dir <path>', t('skill.install.dir'))
        .addOption(new Option('--agent <agent>', t('skill.install.agent')).choices(['claude', 'cursor', 'codex']).default('claude'))
        .action(run(skillInstallCmd));
    },
  ],
  // ---------- after the submit: watch, wait, cost, ssh, notify-test (issue 5) ----------
  [
    ['watch'],
    (program) => {
      program
        .command('watch')
        .description(t('watch.cmd'))
        .argument('[deployment]', t('arg.deployment'))
        .option('--interval <seconds>', t('watch.opt.interval'), intervalSeconds, 2)
        .option('--count <n>', t('watch.opt.count'), nonNegativeInt)
        .option('--no-events', t('watch.opt.noEvents'))
        .action(run(watchCmd));
    },
  ],
  [
    ['wait'],
    (program) => {
      program
        .command('wait')
        .description(t('wait.cmd'))
        .argument('<deployment>', t('arg.deployment'))
        .requiredOption('--for <condition>', t('wait.opt.for'))
        .option('--timeout <seconds>', t('wait.opt.timeout'), timeoutSeconds, 0)
        .option('--interval <seconds>', t('wait.opt.interval'), intervalSeconds, 5)
        .option('--notify', t('wait.opt.notify'))
        .action(run(waitCmd));
    },
  ],
  [
    ['cost'],
    (program) => {
      program
        .command('cost')
        .description(t('cost.cmd'))
        .argument('[deployment]', t('arg.deployment'))
        .option('--since <time>', t('cost.opt.since'))
        .option('--at <time>', t('cost.opt.at'))
        .action(run(costCmd));
    },
  ],
  [
    ['ssh'],
    (program) => {
      program
        .command('ssh')
        .description(t('ssh.cmd'))
        .argument('<container>', t('arg.container'))
        .option('--show-password', t('ssh.opt.showPassword'))
        .option('--exec', t('ssh.opt.exec'))
        .action(run(sshCmd));
    },
  ],
  [
    ['notify-test'],
    (program) => {
      program
        .command('notify-test')
        .description(t('notify.cmd'))
        .option('--url <url>', t('notify.opt.url'))
        .option('--type <type>', t('notify.opt.type'))
        .option('--secret <secret>', t('notify.opt.secret'))
        .action(run(notifyTestCmd));
    },
  ],
  // ---------- the durable queue and sweeps (issue 4) ----------
  [
    ['queue'],
    (program) => {
      const queue = program
        .command('queue')
        .description(t('cmd.queue'))
        .option('--db <path>', t('queue.opt.db'));
      // `--db` belongs to the group; hand it to the subcommand that runs.
      queue.hook('preAction', (group, action) => {
        const db = group.opts().db as string | undefined;
        if (db !== undefined && action.getOptionValue('db') === undefined) action.setOptionValue('db', db);
      });
      queue
        .command('add')
        .description(t('queue.cmd.add'))
        .argument('<config...>', t('arg.config'))
        .option('--priority <n>', t('queue.opt.priority'), integerArg, 0)
        .option('--label <label>', t('queue.opt.label'))
        .addOption(new Option('--dry-run', t('queue.opt.dryRun')))
        .action(run(queueAddCmd));
      queue
        .command('ls')
        .alias('list')
        .description(t('queue.cmd.ls'))
        .option('--state <state...>', t('queue.opt.state'))
        .option('--label <label>', t('queue.opt.labelFilter'))
        .option('--all', t('queue.opt.all'))
        .option('--watch', t('queue.opt.watch'))
        .option('--interval <seconds>', t('watch.opt.interval'), intervalSeconds, 2)
        .option('--count <n>', t('queue.opt.count'), nonNegativeInt)
        .action(run(queueLsCmd));
      queue
        .command('show')
        .description(t('queue.cmd.show'))
        .argument('<id>', t('queue.arg.id'))
        .action(run(queueShowCmd));
      queue
        .command('cancel')
        .description(t('queue.cmd.cancel'))
        .argument('<id...>', t('queue.arg.id'))
        .action(run(queueCancelCmd));
      queue
        .command('retry')
        .description(t('queue.cmd.retry'))
        .argument('<id...>', t('queue.arg.id'))
        .action(run(queueRetryCmd));
      queue
        .command('priority')
        .description(t('queue.cmd.priority'))
        .argument('<id>', t('queue.arg.id'))
        .argument('<n>', t('queue.arg.priority'), integerArg)
        .action(run(queuePriorityCmd));
      queue
        .command('run')
        .description(t('queue.cmd.run'))
        .option('--once', t('queue.opt.once'))
        .option('--drain', t('queue.opt.drain'))
        .option('--interval <seconds>', t('queue.opt.interval'), intervalSeconds, 30)
        .option('--stock-interval <seconds>', t('queue.opt.stockInterval'), intervalSeconds)
        .option('--follow-interval <seconds>', t('queue.opt.followInterval'), intervalSeconds)
        .option('--max-running <n>', t('queue.opt.maxRunning'), nonNegativeInt)
        .option('--max-gpus <n>', t('queue.opt.maxGpus'), nonNegativeInt)
        .option('--max-price <yuan>', t('queue.opt.maxPrice'), nonNegativeNumber)
        .option('--worker-id <id>', t('queue.opt.workerId'))
        .option('--request-timeout <seconds>', t('queue.opt.requestTimeout'), positiveNumber, 30)
        .option('--no-follow', t('queue.opt.noFollow'))
        .action(run(queueRunCmd));
    },
  ],
  [
    ['sweep'],
    (program) => {
      program
        .command('sweep')
        .description(t('sweep.cmd'))
        .argument('<template>', t('sweep.arg.template'))
        .option('--param <name=v1,v2>', t('sweep.opt.param'), paramArg)
        .option('--priority <n>', t('queue.opt.priority'), integerArg, 0)
        .option('--label <label>', t('sweep.opt.label'))
        .option('--db <path>', t('queue.opt.db'))
        .addOption(new Option('--dry-run', t('sweep.opt.dryRun')))
        .action(run(sweepCmd));
    },
  ],
];

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
    .showSuggestionAfterError(true)
    // a command's help also lists the options it inherits (--json, --lang…, queue's --db)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      // Parse errors are reported by the top-level handler (JSON or coloured text).
      outputError: () => {},
    });

  const chosen = only === undefined ? undefined : COMMANDS.find(([names]) => names.includes(only));
  for (const [, declare] of chosen ? [chosen] : COMMANDS) declare(program);
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

const GLOBAL_FLAGS: ReadonlySet<string> = new Set(['--json', '--no-json', '--verbose']);
const GLOBAL_WITH_VALUE: ReadonlySet<string> = new Set(['--lang', '--host', '--dialect']);

/** How many tokens the global option at argv[i] spans (1, or 2 with its value), 0 when it is none. */
export function globalOptionWidth(argv: readonly string[], i: number): number {
  const a = argv[i]!;
  if (GLOBAL_FLAGS.has(a) || /^--(lang|host|dialect)=/.test(a)) return 1;
  return GLOBAL_WITH_VALUE.has(a) ? 2 : 0;
}
