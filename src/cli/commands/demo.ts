// `autodl demo`: the README's main job, with no token and no internet.
// Starts the embedded simulator in this process (real time × --speed), makes the
// requested GPU types busy, and drives the REAL CLI against it in child processes:
//   submit (waits for a GPU: one status line) → events --follow while wait --for finished
//   → describe → cost.
// GPUs are freed after --busy seconds, so the submit visibly waits and then creates.
import type { spawn as Spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CliContext } from '../runtime.js';
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { delaySeconds, intervalSeconds, speed } from '../args.js';

export interface DemoOptions {
  speed?: number;
  busy?: number;
  interval?: number;
}

function runChild(spawn: typeof Spawn, args: string[], env: NodeJS.ProcessEnv, capture: boolean, quietStderr = false): Promise<{ code: number; stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [process.argv[1]!, ...args], {
      env,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', quietStderr ? 'ignore' : 'inherit'],
    });
    let stdout = '';
    child.stdout?.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? 1, stdout }));
  });
}

export async function run(ctx: CliContext, [configArg]: [string | undefined], o: DemoOptions): Promise<void> {
  const { spawn } = await import('node:child_process'); // demo only: a static import would cost every command
  const speed = o.speed ?? 10;
  const busySeconds = o.busy ?? 8;
  const interval = o.interval ?? 2;
  const bundleDir = dirname(resolve(process.argv[1]!));
  const config = configArg ?? join(bundleDir, '..', 'examples', 'train-job.yaml');
  if (!existsSync(config)) throw new AutodlError('config_error', t('demo.noConfig', { path: config }), { path: config });

  const [{ startSimulator, DEMO_TOKEN }, { loadConfigFile }] = await Promise.all([
    import('../../sim/index.js'),
    import('../../pipeline/index.js'),
  ]);
  const raw = loadConfigFile(config).raw as { container_template?: { gpu_name_set?: unknown } };
  const wanted = Array.isArray(raw.container_template?.gpu_name_set)
    ? (raw.container_template!.gpu_name_set as unknown[]).filter((x): x is string => typeof x === 'string')
    : [];

  const sim = await startSimulator({ clock: { speed }, backgroundLoad: false, seed: 7 });
  const home = mkdtempSync(join(tmpdir(), 'autodl-demo-'));
  const stopTimers: Array<() => void> = [];
  try {
    // Every requested GPU type is taken by other tenants until the timer frees two cards.
    const stock = sim.world.stock();
    for (const gpu of wanted) {
      const idle = stock.get(gpu)?.idle ?? 0;
      if (idle > 0) sim.world.occupy(gpu, idle);
    }
    const freeGpu = wanted.find((g) => stock.has(g));
    const timer = setTimeout(() => {
      if (freeGpu) sim.world.free(freeGpu, 2);
      ctx.log(ctx.err.green(`\n${t('demo.freed', { gpu: freeGpu ?? '?' })}`));
    }, busySeconds * 1000);
    stopTimers.push(() => clearTimeout(timer));

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AUTODL_HOST: sim.url,
      AUTODL_TOKEN: DEMO_TOKEN,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      AUTODL_QUEUE_DB: join(home, 'queue.db'),
    };
    if (ctx.global.lang) env.AUTODL_LANG = ctx.global.lang;

    const step = (text: string) => ctx.log(`\n${ctx.err.bold(ctx.err.cyan(`==> ${text}`))}`);
    ctx.log(ctx.err.bold(t('demo.title')));
    ctx.log(t('demo.sim', { url: sim.url, speed: String(speed) }));
    ctx.log(t('demo.busy', { gpus: wanted.join(', '), seconds: String(busySeconds) }));

    step(`autodl submit ${config} --interval ${interval}`);
    const submitted = await runChild(spawn, ['submit', config, '--interval', String(interval), '--no-json'], env, false);
    if (submitted.code !== 0) {
      throw new AutodlError('api_error', t('demo.stepFailed', { step: 'submit', code: String(submitted.code) }), { step: 'submit' }, submitted.code);
    }
    // The simulator is in this process: read the new deployment's uuid from its world.
    const uuid = sim.world.allDeployments().at(-1)?.uuid;
    if (!uuid) throw new AutodlError('api_error', t('demo.stepFailed', { step: 'submit', code: '0' }), { step: 'submit' });

    step(`autodl wait ${uuid} --for finished   (${t('demo.eventsAlongside')})`);
    const follower = spawn(process.execPath, [process.argv[1]!, 'events', uuid, '--follow', '--interval', '0.5', '--no-json'], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    stopTimers.push(() => follower.kill());
    const waited = await runChild(spawn, ['wait', uuid, '--for', 'finished', '--interval', '1', '--timeout', '600', '--no-json'], env, false, true);
    follower.kill();
    if (waited.code !== 0) {
      throw new AutodlError('api_error', t('demo.stepFailed', { step: 'wait', code: String(waited.code) }), { step: 'wait' }, waited.code);
    }

    step(`autodl describe ${uuid}`);
    await runChild(spawn, ['describe', uuid, '--no-json'], env, false);
    step(`autodl cost ${uuid}`);
    await runChild(spawn, ['cost', uuid, '--no-json'], env, false);
    ctx.log(`\n${ctx.err.green(t('demo.done'))}`);
  } finally {
    for (const stop of stopTimers) stop();
    await sim.close();
    rmSync(home, { recursive: true, force: true });
  }
}

export const command: CliCommand = {
  names: ['demo'],
  examples: [
    ['autodl demo', 'ex.demo'],
    ['autodl demo examples/train-job.yaml --speed 20 --busy 4', 'ex.demo.config'],
  ],
  declare(program) {
    withExamples(
      program
        .command('demo')
        .description(t('cmd.demo'))
        .argument('[config]', t('arg.config'))
        .option('--speed <x>', t('cmd.demo.speed'), speed)
        .option('--busy <duration>', t('cmd.demo.busy'), delaySeconds)
        .option('--interval <duration>', t('cmd.demo.interval'), intervalSeconds),
      command.examples,
    ).action(action(run));
  },
};
