// The AutoDL-compatible simulator: startSimulator() for tests and embedding, runSimCommand()
// for `autodl sim`. See docs/simulator.md.

import type { AddressInfo } from 'node:net';
import type { Dialect } from '../api/types.js';
import { english, said } from '../i18n/index.js';
import { Faults, type FaultSpec } from './faults.js';
import { DEMO_TOKEN } from './presets.js';
import { createSimServer, SimClock, SimStats, type ClockOption } from './server.js';
import { World, type SimTimings, type WorldConfig } from './world.js';

export { DEMO_TOKEN, DEMO_IMAGE_UUID, DEMO_IMAGE_NAME, DEFAULT_HOSTS, PRIVATE_HOSTS, PUBLIC_HOSTS, hostsFor, REGIONS, SYSTEM_IMAGES, type HostConfig } from './presets.js';
export { World, SimError, CODES, DEFAULT_TIMINGS, DEFAULT_START_TIME, type SimTimings, type WorldConfig, type WorldOptions, type HostView, type AdminDeploymentView } from './world.js';
export { Faults, FAULT_KINDS, type FaultKind, type FaultSpec, type ActiveFault } from './faults.js';
export { SimStats, SimClock, type ClockOption, type SimStatsSnapshot } from './server.js';
export { planCmd, type CmdPlan } from './cmd.js';

export interface SimOptions {
  /** default 0: a free port */
  port?: number;
  /** one tenant per token; default [DEMO_TOKEN] */
  tokens?: string[];
  /** default 'private' */
  dialect?: Dialect;
  /** default 'manual' (time moves only through world.advance / POST /__sim/clock/advance) */
  clock?: ClockOption;
  /** seeds background load, ids and probabilistic faults; default 1 */
  seed?: number;
  /** invisible tenants taking and freeing GPUs; default false here (true for `autodl sim`) */
  backgroundLoad?: boolean;
  world?: WorldConfig;
  /** lifetime of a cmd not matching the convention, default 60 */
  defaultCmdSeconds?: number;
  timings?: Partial<SimTimings>;
  /** world start time (ms since epoch); default 2026-07-01T08:00:00+08:00 in manual mode, now otherwise */
  startTime?: number;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43817 */
  url: string;
  world: World;
  stats: SimStats;
  faults: Faults;
  clock: SimClock;
  close(): Promise<void>;
}

export async function startSimulator(options: SimOptions = {}): Promise<Simulator> {
  const clockOpt: ClockOption = options.clock ?? 'manual';
  const world = new World({
    ...(options.dialect !== undefined ? { dialect: options.dialect } : {}),
    ...(options.tokens !== undefined ? { tokens: options.tokens } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    backgroundLoad: options.backgroundLoad ?? false,
    ...(options.world !== undefined ? { world: options.world } : {}),
    ...(options.defaultCmdSeconds !== undefined ? { defaultCmdSeconds: options.defaultCmdSeconds } : {}),
    ...(options.timings !== undefined ? { timings: options.timings } : {}),
    ...(options.startTime !== undefined ? { startTime: options.startTime } : clockOpt === 'manual' ? {} : { startTime: Date.now() }),
  });
  const stats = new SimStats();
  const faults = new Faults(options.seed ?? 1);
  const clock = new SimClock(world, clockOpt);
  const server = createSimServer({ world, dialect: world.dialect, faults, stats, clock });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    world,
    stats,
    faults,
    clock,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

export interface SimCommandArgs {
  port: number;
  tokens: string[];
  dialect: Dialect;
  speed?: number;
  manual?: boolean;
  seed?: number;
  backgroundLoad?: boolean;
}

export interface SimCommandIo {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** resolves when the simulator should stop; default: first SIGINT or SIGTERM */
  until?: Promise<unknown>;
}

/**
 * `autodl sim`: start, print the URL as the first line of stdout, a short summary on stderr,
 * run until SIGINT/SIGTERM, then close. User-given tokens are never printed.
 */
export async function runSimCommand(argv: SimCommandArgs, io: SimCommandIo = {}): Promise<void> {
  const out = io.stdout ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = io.stderr ?? ((l: string) => process.stderr.write(`${l}\n`));
  const tokens = argv.tokens.length > 0 ? argv.tokens : [DEMO_TOKEN];
  const clock: ClockOption = argv.manual ? 'manual' : { speed: argv.speed ?? 1 };
  const sim = await startSimulator({
    port: argv.port,
    tokens,
    dialect: argv.dialect,
    clock,
    ...(argv.seed !== undefined ? { seed: argv.seed } : {}),
    backgroundLoad: argv.backgroundLoad ?? true,
    ...(argv.manual ? {} : { startTime: Date.now() }),
  });
  out(sim.url);
  const userTokens = tokens.filter((t) => t !== DEMO_TOKEN).length;
  const tokenLine = tokens.includes(DEMO_TOKEN)
    ? english('sim.banner.demoToken', { token: DEMO_TOKEN, more: userTokens > 0 ? said('sim.banner.moreTokens', { n: userTokens }) : '' })
    : english('sim.banner.tokens', { n: userTokens });
  err(english('sim.banner.title', { url: sim.url, dialect: argv.dialect }));
  err(`  ${tokenLine}`);
  const clockText = argv.manual ? said('sim.banner.clockManual') : said('sim.banner.clockReal', { speed: argv.speed ?? 1 });
  err(`  ${english('sim.banner.clock', { clock: clockText, load: said((argv.backgroundLoad ?? true) ? 'sim.banner.on' : 'sim.banner.off'), seed: argv.seed ?? 1 })}`);
  err(`  ${english('sim.banner.admin', { url: sim.url })}`);
  err(`  ${english('sim.banner.stop')}`);
  const until =
    io.until ??
    new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  await until;
  await sim.close();
  err(english('sim.banner.stopped'));
}

/** In-process fault helper signature (re-exported for convenience). */
export type AddFault = (spec: FaultSpec) => number;
