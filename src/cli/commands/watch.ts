// `autodl watch [deployment] [--interval S] [--count N] [--no-events]`: a live view of
// deployments (or of one deployment's containers) and their new events.
//   terminal (stdout a TTY, no --json): a table redrawn in place (ANSI: cursor hidden, moved up,
//     screen below cleared); the last events underneath. Ctrl-C restores the cursor, exit 0.
//   --json / stdout not a terminal: NDJSON on stdout, one object per line with a `type`:
//     snapshot | event | deleted | error.
//   --no-json without a terminal: the first table, then one plain line per change or event.
// Events are followed per deployment in either server order, each once (history before the start is skipped).
import { sleep } from '../../util/sleep.js';
import { deploymentEnded } from '../../watch/rows.js';
import { displayApiClock, formatClock } from '../../util/time.js';
import { AutodlError } from '../../errors.js';
import type { ContainerEvent, Deployment } from '../../api/types.js';
import type { AutodlClient } from '../../api/client.js';
import { EventStream, sortEventsOldestFirst } from '../../api/events.js';
import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import { dash, formatDuration, renderTable, statusColor } from '../output.js';
import { LiveFrame, untilInterrupted } from '../live.js';
import type { CliContext } from '../runtime.js';
import { containerRow, deploymentRow, diffRows, type ContainerRow, type DeploymentRow, type WatchEvent, type RowChange } from '../../watch/rows.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { intervalSeconds, nonNegativeInt } from '../args.js';

/** At most this many deployments have their events followed in the all-deployments view. */
const MAX_EVENT_DEPLOYMENTS = 20;
const EVENT_PAGE = 100;
/** Consecutive failed polls tolerated before giving up. */
const MAX_FAILURES = 5;
const SHOWN_EVENTS = 8;

export interface Snapshot {
  type: 'snapshot';
  seq: number;
  time: string;
  deployment?: DeploymentRow;
  containers?: ContainerRow[];
  deployments?: DeploymentRow[];
}


/** Follows each deployment's events in whatever order the server lists them (src/api/events.ts). */
class EventFollower {
  private readonly streams = new Map<string, EventStream>();
  constructor(private readonly client: AutodlClient) {}

  private stream(uuid: string): EventStream {
    let s = this.streams.get(uuid);
    if (!s) {
      s = new EventStream((page) => this.client.events.list({ deployment_uuid: uuid }, page), { pageSize: EVENT_PAGE });
      this.streams.set(uuid, s);
    }
    return s;
  }

  /** First sight of a deployment already there at the start: skip its history, return its last `keep` events. */
  async skipHistory(uuid: string, keep: number): Promise<WatchEvent[]> {
    const hist = await this.stream(uuid).skipHistory(keep);
    return hist.map((e) => ({ ...e, deployment_uuid: uuid }));
  }

  has(uuid: string): boolean {
    return this.streams.has(uuid);
  }

  /** New events since the last call, oldest first (a deployment seen for the first time here: all of them). */
  async poll(uuid: string): Promise<WatchEvent[]> {
    const fresh = await this.stream(uuid).poll();
    return fresh.map((e) => ({ ...e, deployment_uuid: uuid }));
  }

  forget(uuid: string): void {
    this.streams.delete(uuid);
  }
}

function fmtAge(s: number | null): string {
  return s === null ? '-' : formatDuration(s);
}

function fmtPrice(y: number): string {
  return y === 0 ? '-' : String(Math.round(y * 1000) / 1000);
}

/** The clock of an API time, in the output zone (+08:00 unless --utc). */
function shortTime(time: string): string {
  return displayApiClock(time);
}

/** running/replicas (+starting, ✓finished ✗failed); "-" when the server reports no counts. */
function replicasCell(r: DeploymentRow): string {
  if (r.running_num === null && r.replica_num === null) return '-';
  const q = (v: number | null) => (v === null ? '?' : String(v));
  const starting = r.starting_num ? ` +${r.starting_num}` : '';
  const done = r.deployment_type !== 'ReplicaSet' && r.finished_num !== null ? ` ✓${r.finished_num}${r.failed_num ? ` ✗${r.failed_num}` : ''}` : '';
  return `${q(r.running_num)}/${q(r.replica_num)}${starting}${done}`;
}

export function deploymentTable(rows: DeploymentRow[], ctx: CliContext): string {
  const c = ctx.out;
  return renderTable(
    [t('col.uuid'), t('col.name'), t('col.type'), t('col.status'), t('watch.colReplicas'), t('col.gpu'), t('watch.colAge'), t('col.price')],
    rows.map((r) => [
      r.uuid,
      r.name,
      r.deployment_type,
      statusColor(r.phase, c),
      replicasCell(r),
      dash(r.gpu),
      fmtAge(r.age_seconds),
      // a finished Job bills nothing: no price beside it
      deploymentEnded(r.phase) ? '-' : fmtPrice(r.price_yuan_per_hour),
    ]),
    c,
    { right: [6, 7] },
  );
}

export function containerTable(rows: ContainerRow[], ctx: CliContext): string {
  const c = ctx.out;
  return renderTable(
    [t('col.container'), t('col.status'), t('col.machine'), t('col.dc'), t('col.gpu'), t('watch.colAge'), t('col.price')],
    rows.map((r) => [
      r.uuid,
      statusColor(r.status, c),
      dash(r.machine_id),
      dash(r.data_center),
      `${dash(r.gpu_name)}${r.gpu_num > 1 ? ` ×${r.gpu_num}` : ''}`,
      fmtAge(r.age_seconds),
      r.ended ? '-' : fmtPrice(r.price_yuan_per_hour),
    ]),
    c,
    { right: [5, 6] },
  );
}

function eventLine(e: WatchEvent, ctx: CliContext, withDeployment: boolean): string {
  const c = ctx.out;
  // a container uuid starts with its deployment's: no need to repeat it
  const who = withDeployment || e.deployment_container_uuid.startsWith(e.deployment_uuid) ? e.deployment_container_uuid : `${e.deployment_uuid} ${e.deployment_container_uuid}`;
  return `${c.dim(shortTime(e.created_at))}  ${who}  ${statusColor(String(e.status), c)}`;
}

function changeLine(ch: RowChange, ctx: CliContext): string {
  const c = ctx.out;
  const when = c.dim(formatClock(Date.now()));
  if (ch.change === 'added') return `${when}  ${c.green('+')} ${ch.uuid}  ${ch.to ?? ''}`;
  if (ch.change === 'removed') return `${when}  ${c.red('-')} ${ch.uuid}  ${ch.from ?? ''}`;
  return `${when}  ~ ${ch.uuid}  ${ch.from ?? ''} → ${ch.to ?? ''}`;
}

/** Fit a frame to the terminal: lines cut to the width, the frame to the height (so cursor-up stays exact). */
export interface WatchOptions {
  interval: number;
  count?: number;
  /** false with --no-events */
  events: boolean;
}

export async function run(ctx: CliContext, [deployment]: [string | undefined], opts: WatchOptions): Promise<void> {
  const intervalMs = Math.max(10, Math.round(opts.interval * 1000));
  const count = opts.count !== undefined && opts.count > 0 ? opts.count : undefined;
  const withEvents = opts.events;
  const client = await makeClient(ctx);
  const ref = deployment !== undefined && deployment !== '' ? deployment : undefined;
  const target: Deployment | undefined = ref !== undefined ? await resolveDeployment(ctx, client, ref) : undefined;
  const stdout = ctx.io.stdout as NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  const mode: 'json' | 'tty' | 'plain' = ctx.json ? 'json' : stdout.isTTY ? 'tty' : 'plain';
  const emit = (v: Record<string, unknown>) => stdout.write(`${JSON.stringify(ctx.sanitize(v))}\n`);

  const ac = untilInterrupted();

  const follower = new EventFollower(client);
  const recent: WatchEvent[] = [];
  const frame = mode === 'tty' ? new LiveFrame(stdout) : undefined;
  let prevRows: Array<DeploymentRow | ContainerRow> | undefined;
  let failures = 0;

  try {
    for (let seq = 1; !ac.signal.aborted; seq++) {
      let snapshot: Snapshot;
      let fresh: WatchEvent[] = [];
      let gone = false;
      try {
        const now = client.serverNow(); // ages by the server clock (skew, fast simulator)
        snapshot = { type: 'snapshot', seq, time: new Date(now).toISOString() };
        let tracked: string[];
        if (target) {
          const d = await client.deployments.get(target.uuid);
          if (!d) gone = true;
          else snapshot.deployment = deploymentRow(d, now);
          const cs = await toArray(client.containers.listAll({ deployment_uuid: target.uuid }));
          snapshot.containers = cs.map((c) => containerRow(c, now));
          tracked = [target.uuid];
        } else {
          const ds = await toArray(client.deployments.listAll());
          snapshot.deployments = ds.map((d) => deploymentRow(d, now));
          tracked = ds.slice(0, MAX_EVENT_DEPLOYMENTS).map((d) => d.uuid);
        }
        if (withEvents) {
          for (const uuid of tracked) {
            if (seq === 1) {
              const hist = await follower.skipHistory(uuid, mode === 'tty' ? SHOWN_EVENTS : 0);
              recent.push(...hist);
            } else {
              fresh.push(...(await follower.poll(uuid)));
            }
          }
          fresh = sortEventsOldestFirst(fresh);
        }
        failures = 0;
      } catch (e) {
        if (ac.signal.aborted) break;
        failures++;
        if (failures >= MAX_FAILURES || !(e instanceof AutodlError) || e.errorType !== 'api_error') throw e;
        const msg = e.message;
        if (mode === 'json') emit({ type: 'error', error_type: e.errorType, message: msg, consecutive_failures: failures });
        else {
          ctx.warn(t('watch.pollFailed', { message: msg, n: failures }));
          frame?.detach(); // the warning moved the screen: draw the next frame below it
        }
        await sleep(intervalMs, ac.signal);
        continue;
      }

      // ---- render ----
      if (mode === 'json') {
        for (const e of fresh) emit({ type: 'event', ...e });
        emit(snapshot as unknown as Record<string, unknown>);
        if (gone) emit({ type: 'deleted', deployment_uuid: target!.uuid });
      } else if (mode === 'plain') {
        const rows = (snapshot.containers ?? snapshot.deployments ?? []) as Array<DeploymentRow | ContainerRow>;
        if (prevRows === undefined) {
          if (snapshot.deployment) ctx.print(deploymentTable([snapshot.deployment], ctx));
          if (snapshot.containers) ctx.print(snapshot.containers.length > 0 ? containerTable(snapshot.containers, ctx) : t('result.empty'));
          if (snapshot.deployments) ctx.print(snapshot.deployments.length > 0 ? deploymentTable(snapshot.deployments, ctx) : t('result.empty'));
        } else {
          for (const ch of diffRows(prevRows as DeploymentRow[], rows as DeploymentRow[])) ctx.print(changeLine(ch, ctx));
        }
        for (const e of fresh) ctx.print(eventLine(e, ctx, target === undefined));
        if (gone) ctx.print(t('watch.deleted', { uuid: target!.uuid }));
        prevRows = rows;
      } else {
        recent.push(...fresh);
        if (seq === 1) recent.splice(0, recent.length, ...sortEventsOldestFirst(recent));
        if (recent.length > SHOWN_EVENTS) recent.splice(0, recent.length - SHOWN_EVENTS);
        const c = ctx.out;
        const lines: string[] = [];
        lines.push(c.dim(t('watch.header', { time: formatClock(Date.now()), interval: intervalMs / 1000 })));
        if (snapshot.deployment) lines.push(deploymentTable([snapshot.deployment], ctx), '');
        if (gone) lines.push(c.red(t('watch.deleted', { uuid: target!.uuid })), '');
        if (snapshot.containers) lines.push(snapshot.containers.length > 0 ? containerTable(snapshot.containers, ctx) : t('result.empty'));
        if (snapshot.deployments) lines.push(snapshot.deployments.length > 0 ? deploymentTable(snapshot.deployments, ctx) : t('result.empty'));
        if (withEvents) {
          lines.push('', c.bold(t('watch.events')));
          if (recent.length === 0) lines.push(c.dim(t('result.empty')));
          for (const e of recent) lines.push(eventLine(e, ctx, target === undefined));
        }
        frame!.draw(lines);
      }

      if (gone) break;
      if (count !== undefined && seq >= count) break;
      await sleep(intervalMs, ac.signal);
    }
  } finally {
    frame?.close();
    ac.dispose();
  }
  // Ctrl-C is the normal way to end a watch: exit 0 (docs/watch.md)
}

export const command: CliCommand = {
  names: ['watch'],
  examples: [
    ['autodl watch', 'ex.watch'],
    ['autodl watch my-job --interval 5 --no-events', 'ex.watch.one'],
  ],
  declare(program) {
    withExamples(
      program
        .command('watch')
        .description(t('watch.cmd'))
        .argument('[deployment]', t('arg.deployment'))
        .option('--interval <duration>', t('watch.opt.interval'), intervalSeconds, 2)
        .option('--count <n>', t('watch.opt.count'), nonNegativeInt)
        .option('--no-events', t('watch.opt.noEvents')),
      command.examples,
    ).action(action(run));
  },
};
