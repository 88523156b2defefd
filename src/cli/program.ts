// The `autodl` command tree. This file only declares commands (names, descriptions,
// options); each command's implementation lives in ./commands/<name>.ts and is loaded with
// a dynamic import() inside its action, so `autodl --help` loads commander and the message
// catalog and nothing else. Never import zod, yaml, better-sqlite3, the simulator or the
// SDK at the top level here.
import { Command, Option } from 'commander';
import { t } from '../i18n/index.js';
import { collect, expireMinutes, nonNegativeInt, nonNegativeNumber, port, positiveNumber } from './args.js';
import type { CommandModule } from './runtime.js';
import { integerArg, paramArg } from './commands/queue-args.js';
import pkg from '../../package.json' with { type: 'json' };

type Loader = () => Promise<CommandModule>;

function lazy(load: Loader) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    const { runCommand } = await import('./runtime.js');
    await runCommand(command, positional, load);
  };
}

function dryRun(): Option {
  return new Option('--dry-run', t('opt.dryRun'));
}

export function buildProgram(): Command {
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

  // ---------- read ----------
  program
    .command('images')
    .description(t('cmd.images'))
    .option('--system', t('cmd.images.system'))
    .action(lazy(() => import('./commands/images.js')));

  program
    .command('stock')
    .description(t('cmd.stock'))
    .option('--region <sign>', t('cmd.stock.region'))
    .option('--dc <id...>', t('cmd.stock.dc'))
    .option('--gpu <name...>', t('cmd.stock.gpu'))
    .action(lazy(() => import('./commands/stock.js')));

  program
    .command('deployments')
    .alias('ls')
    .description(t('cmd.deployments'))
    .option('--name <name>', t('cmd.deployments.name'))
    .option('--status <status>', t('cmd.deployments.status'))
    .action(lazy(() => import('./commands/deployments.js')));

  program
    .command('describe')
    .description(t('cmd.describe'))
    .argument('<deployment>', t('arg.deployment'))
    .option('--events <n>', t('cmd.describe.events'), nonNegativeInt, 10)
    .action(lazy(() => import('./commands/describe.js')));

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
    .action(lazy(() => import('./commands/containers.js')));

  program
    .command('events')
    .description(t('cmd.events'))
    .argument('<deployment>', t('arg.deployment'))
    .option('-f, --follow', t('cmd.events.follow'))
    .option('--container <uuid>', t('cmd.events.container'))
    .option('--interval <seconds>', t('cmd.events.interval'), positiveNumber, 2)
    .action(lazy(() => import('./commands/events.js')));

  const blacklist = program.command('blacklist').description(t('cmd.blacklist'));
  blacklist
    .command('ls')
    .alias('list')
    .description(t('cmd.blacklist.ls'))
    .action(lazy(() => import('./commands/blacklist-ls.js')));
  blacklist
    .command('add')
    .description(t('cmd.blacklist.add'))
    .argument('<container>', t('arg.container'))
    .option('--comment <text>', t('cmd.blacklist.comment'))
    .option('--expire-minutes <n>', t('cmd.blacklist.expire'), expireMinutes)
    .addOption(dryRun())
    .action(lazy(() => import('./commands/blacklist-add.js')));

  // ---------- change ----------
  program
    .command('create')
    .description(t('cmd.create'))
    .argument('<config>', t('arg.config'))
    .addOption(dryRun())
    .action(lazy(() => import('./commands/create.js')));

  program
    .command('submit')
    .alias('queue-submit')
    .description(t('cmd.submit'))
    .argument('<config>', t('arg.config'))
    .option('--interval <seconds>', t('cmd.submit.interval'), positiveNumber, 30)
    .option('--timeout <seconds>', t('cmd.submit.timeout'), nonNegativeNumber, 0)
    .addOption(dryRun())
    .action(lazy(() => import('./commands/submit.js')));

  program
    .command('scale')
    .description(t('cmd.scale'))
    .argument('<deployment>', t('arg.deployment'))
    .argument('<n>', t('arg.replicas'), nonNegativeInt)
    .addOption(dryRun())
    .action(lazy(() => import('./commands/scale.js')));

  program
    .command('stop-container')
    .description(t('cmd.stopContainer'))
    .argument('<container>', t('arg.container'))
    .option('--decrease-replica', t('cmd.stopContainer.decrease'))
    .option('--no-cache', t('cmd.stopContainer.noCache'))
    .addOption(dryRun())
    .action(lazy(() => import('./commands/stop-container.js')));

  program
    .command('stop')
    .description(t('cmd.stop'))
    .argument('<deployment>', t('arg.deployment'))
    .addOption(dryRun())
    .action(lazy(() => import('./commands/stop.js')));

  program
    .command('delete')
    .alias('rm')
    .description(t('cmd.delete'))
    .argument('<deployment>', t('arg.deployment'))
    .addOption(dryRun())
    .action(lazy(() => import('./commands/delete.js')));

  // ---------- offline ----------
  program
    .command('validate')
    .description(t('cmd.validate'))
    .argument('<config>', t('arg.config'))
    .option('--strict', t('cmd.validate.strict'))
    .action(lazy(() => import('./commands/validate.js')));

  program
    .command('login')
    .description(t('cmd.login'))
    .option('--token-stdin', t('cmd.login.tokenStdin'))
    .action(lazy(() => import('./commands/login.js')));

  program
    .command('sim')
    .description(t('cmd.sim'))
    .option('--port <n>', t('cmd.sim.port'), port)
    .option('--token <token>', t('cmd.sim.token'), collect)
    .option('--speed <x>', t('cmd.sim.speed'), positiveNumber)
    .option('--manual', t('cmd.sim.manual'))
    .option('--seed <n>', t('cmd.sim.seed'), nonNegativeInt)
    .option('--no-background', t('cmd.sim.noBackground'))
    .action(lazy(() => import('./commands/sim.js')));

  program
    .command('schema')
    .description(t('cmd.schema'))
    .action(lazy(() => import('./commands/schema.js')));

  program
    .command('demo')
    .description(t('cmd.demo'))
    .argument('[config]', t('arg.config'))
    .option('--speed <x>', t('cmd.demo.speed'), positiveNumber)
    .option('--busy <seconds>', t('cmd.demo.busy'), nonNegativeNumber)
    .option('--interval <seconds>', t('cmd.demo.interval'), positiveNumber)
    .action(lazy(() => import('./commands/demo.js')));

  // ---------- agents: MCP server and skill (issue 7) ----------
  program
    .command('mcp')
    .description(t('mcp.description'))
    .action(lazy(() => import('./commands/mcp.js')));
  program
    .command('skill')
    .description(t('skill.description'))
    .command('install')
    .description(t('skill.install.description'))
    .option('--dir <path>', t('skill.install.dir'))
    .addOption(new Option('--agent <agent>', t('skill.install.agent')).choices(['claude', 'cursor', 'codex']).default('claude'))
    .action(lazy(() => import('./commands/skill-install.js')));

  // ---------- after the submit: watch, wait, cost, ssh, notify-test (issue 5) ----------
  program
    .command('watch')
    .description(t('watch.cmd'))
    .argument('[deployment]', t('arg.deployment'))
    .option('--interval <seconds>', t('watch.opt.interval'), positiveNumber, 2)
    .option('--count <n>', t('watch.opt.count'), nonNegativeInt)
    .option('--no-events', t('watch.opt.noEvents'))
    .action(lazy(() => import('./commands/watch.js')));

  program
    .command('wait')
    .description(t('wait.cmd'))
    .argument('<deployment>', t('arg.deployment'))
    .requiredOption('--for <condition>', t('wait.opt.for'))
    .option('--timeout <seconds>', t('wait.opt.timeout'), nonNegativeNumber, 0)
    .option('--interval <seconds>', t('wait.opt.interval'), positiveNumber, 5)
    .option('--notify', t('wait.opt.notify'))
    .action(lazy(() => import('./commands/wait.js')));

  program
    .command('cost')
    .description(t('cost.cmd'))
    .argument('[deployment]', t('arg.deployment'))
    .option('--since <time>', t('cost.opt.since'))
    .option('--at <time>', t('cost.opt.at'))
    .action(lazy(() => import('./commands/cost.js')));

  program
    .command('ssh')
    .description(t('ssh.cmd'))
    .argument('<container>', t('arg.container'))
    .option('--show-password', t('ssh.opt.showPassword'))
    .option('--exec', t('ssh.opt.exec'))
    .action(lazy(() => import('./commands/ssh.js')));

  program
    .command('notify-test')
    .description(t('notify.cmd'))
    .option('--url <url>', t('notify.opt.url'))
    .option('--type <type>', t('notify.opt.type'))
    .option('--secret <secret>', t('notify.opt.secret'))
    .action(lazy(() => import('./commands/notify-test.js')));

  // ---------- the durable queue and sweeps (issue 4) ----------
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
    .action(lazy(() => import('./commands/queue-add.js')));
  queue
    .command('ls')
    .alias('list')
    .description(t('queue.cmd.ls'))
    .option('--state <state...>', t('queue.opt.state'))
    .option('--label <label>', t('queue.opt.labelFilter'))
    .option('--all', t('queue.opt.all'))
    .action(lazy(() => import('./commands/queue-ls.js')));
  queue
    .command('show')
    .description(t('queue.cmd.show'))
    .argument('<id>', t('queue.arg.id'))
    .action(lazy(() => import('./commands/queue-show.js')));
  queue
    .command('cancel')
    .description(t('queue.cmd.cancel'))
    .argument('<id...>', t('queue.arg.id'))
    .action(lazy(() => import('./commands/queue-cancel.js')));
  queue
    .command('retry')
    .description(t('queue.cmd.retry'))
    .argument('<id...>', t('queue.arg.id'))
    .action(lazy(() => import('./commands/queue-retry.js')));
  queue
    .command('priority')
    .description(t('queue.cmd.priority'))
    .argument('<id>', t('queue.arg.id'))
    .argument('<n>', t('queue.arg.priority'), integerArg)
    .action(lazy(() => import('./commands/queue-priority.js')));
  queue
    .command('run')
    .description(t('queue.cmd.run'))
    .option('--once', t('queue.opt.once'))
    .option('--drain', t('queue.opt.drain'))
    .option('--interval <seconds>', t('queue.opt.interval'), positiveNumber, 30)
    .option('--max-running <n>', t('queue.opt.maxRunning'), nonNegativeInt)
    .option('--max-gpus <n>', t('queue.opt.maxGpus'), nonNegativeInt)
    .option('--max-price <yuan>', t('queue.opt.maxPrice'), nonNegativeNumber)
    .option('--worker-id <id>', t('queue.opt.workerId'))
    .option('--no-follow', t('queue.opt.noFollow'))
    .action(lazy(() => import('./commands/queue-run.js')));

  program
    .command('sweep')
    .description(t('sweep.cmd'))
    .argument('<template>', t('sweep.arg.template'))
    .option('--param <name=v1,v2>', t('sweep.opt.param'), paramArg)
    .option('--priority <n>', t('queue.opt.priority'), integerArg, 0)
    .option('--label <label>', t('sweep.opt.label'))
    .option('--db <path>', t('queue.opt.db'))
    .addOption(new Option('--dry-run', t('sweep.opt.dryRun')))
    .action(lazy(() => import('./commands/sweep.js')));

  return program;
}
