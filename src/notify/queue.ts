// From the queue worker's events to notifications (issue 5, §6): a queued entry was
// submitted; all of a deployment's containers are running; a Job finished; something failed.
// The mapping is pure (queueNotification); QueueNotifier fires them without ever blocking or
// stopping the worker, and remembers per process which entry already had its "all running".
import { reasonText, type PlatformReason } from '../queue/refusal.js';
import type { DeploymentCounts, QueueEvent } from '../queue/submitter.js';
import { notify, type NotifyEvent, type NotifyResult, type NotifySink, type NotifyOptions } from './index.js';

/**
 * All of a deployment's current containers are running: nothing starting, and as many
 * running as it should have now — replica_num for a ReplicaSet; for a Job or Container, the
 * smaller of parallelism_num and the replicas not yet finished or failed.
 */
export function allRunning(c: DeploymentCounts): boolean {
  if (c.running_num <= 0 || c.starting_num > 0) return false;
  if (c.deployment_type === 'ReplicaSet') return c.running_num >= c.replica_num;
  const left = c.replica_num - c.finished_num - c.failed_num;
  const expected = Math.min(Math.max(1, c.parallelism_num || 1), left);
  return expected > 0 && c.running_num >= expected;
}

/** The notification for one worker event, or undefined. `announced` holds entry ids already told "all running". */
export function queueNotification(ev: QueueEvent, announced: Set<string>): NotifyEvent | undefined {
  switch (ev.type) {
    case 'created':
    case 'found':
      return {
        kind: 'submitted',
        message: `queue entry ${ev.id} submitted: deployment ${ev.deployment_name} (${ev.deployment_uuid})`,
        deployment: { uuid: ev.deployment_uuid, name: ev.deployment_name },
        entry: { id: ev.id, name: ev.deployment_name },
      };
    case 'failed':
      return {
        kind: 'failed',
        message: `queue entry ${ev.id} failed: the platform refused the create 3 times in a row${refusalSuffix(ev.details)}`,
        entry: { id: ev.id },
        error_type: ev.error_type,
      };
    case 'observed':
      if (announced.has(ev.id) || !allRunning(ev.deployment)) return undefined;
      announced.add(ev.id);
      return {
        kind: 'all_running',
        message: `all containers of ${ev.deployment_name} are running (${ev.deployment.running_num})`,
        deployment: { uuid: ev.deployment_uuid, name: ev.deployment_name },
        entry: { id: ev.id, name: ev.deployment_name },
      };
    case 'state':
      if (ev.to === 'failed') return { kind: 'failed', message: `queue entry ${ev.id}: ${ev.note}`, entry: { id: ev.id } };
      // a Job's completion is read from its counts ("finished 4/4"), not from a stopped deployment
      if (ev.to === 'finished' && ev.note.startsWith('finished ')) {
        return { kind: 'job_finished', message: `queue entry ${ev.id}: Job ${ev.note}`, entry: { id: ev.id } };
      }
      return undefined;
    case 'policy':
      // issue 16: a time limit, cost cap or budget stopped (or warned about) a deployment (a
      // dependency that fails an entry is told by its state event, as `failed`)
      if (ev.action === 'fail') return undefined;
      return {
        kind: 'policy',
        message: `queue entry ${ev.id}: ${ev.action === 'stop' ? 'stopped' : 'warning'} by policy ${ev.reason} (${ev.detail})`,
        entry: { id: ev.id },
        ...(ev.deployment_uuid ? { deployment: { uuid: ev.deployment_uuid } } : {}),
      };
    case 'retry':
      // issue 16: the retry policy gave a deployment up and resubmits the entry (why, and which run)
      return {
        kind: 'policy',
        message: `queue entry ${ev.id}: resubmitted by its retry policy (${ev.cause}, retry ${ev.n} of ${ev.max}): ${ev.detail}${ev.blacklisted.length ? `; blacklisted ${ev.blacklisted.join(', ')}` : ''}`,
        entry: { id: ev.id, name: ev.next_deployment_name },
        ...(ev.deployment_uuid ? { deployment: { uuid: ev.deployment_uuid } } : {}),
      };
    default:
      return undefined;
  }
}

export class QueueNotifier {
  private readonly announced = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly sinks: readonly NotifySink[],
    private readonly onResult: (event: NotifyEvent, results: NotifyResult[]) => void = () => {},
    private readonly options: NotifyOptions = {},
  ) {}

  /** Called with every worker event; returns at once (the sending runs in the background). */
  handle(ev: QueueEvent): void {
    if (this.sinks.length === 0) return;
    const n = queueNotification(ev, this.announced);
    if (!n) return;
    const p = notify(n, this.sinks, this.options)
      .then((r) => this.onResult(n, r))
      .catch(() => {})
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Wait for notifications still being sent (at the worker's end). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

/** ": 暂无库存 (code …)" — the platform's own reason of a failed entry, when it gave one. */
function refusalSuffix(details: Record<string, unknown>): string {
  const r = details.platform_reason;
  return r && typeof r === 'object' ? `: ${reasonText(r as PlatformReason)}` : ' although the stock showed idle cards';
}
