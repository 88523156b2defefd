// Retries that know why (issue 16): whether an entry's deployment is given up and the entry
// resubmitted, and why. Pure: what the worker saw (the follow's verdict, the containers' hosts,
// the stock) and `now` are inputs; the worker carries the verdict out (stop, blacklist, the
// move back to pending under a fresh mark) and records it.
//
//   failed       the follow found the containers failed (none left to finish)
//   host_error   … and this entry's containers failed HOST_ERROR_FAILURES times or more on one
//                host (over its runs): with blacklist_hosts that host is blacklisted first
//   unscheduled  the deployment has had no container for unscheduled_after since it was
//                created while the stock shows idle cards of a type it asked for (they may sit
//                on hosts it cannot use, e.g. blacklisted ones): stopped and requeued, so it
//                no longer holds the queue's --max-gpus
//
// The platform's container list carries no exit status, so a failure is put on a host only
// when it is unambiguous: every container of the failed deployment that ended ran there.

import type { Container, Deployment, Stock } from '../api/types.js';
import { DEFAULT_UNSCHEDULED_AFTER_MS, HOST_ERROR_FAILURES, fmtDuration, type RetryCause } from './policies.js';
import type { QueueEntry, RetryRecord } from './types.js';

export type RetryVerdict =
  | { retry: true; cause: RetryCause; detail: string; failedOn: Record<string, number>; blacklist: string[] }
  | { retry: false };

/** What a recorded host id may look like (letters, digits, . _ : -; at most 128). */
const MACHINE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const ENDED_CONTAINER = new Set(['shutting_down', 'shutdown', 'in_cache', 'removed']);

/** Failed containers per host of a failed deployment, where the containers make it unambiguous. */
export function failuresByHost(d: Pick<Deployment, 'failed_num'>, containers: readonly Pick<Container, 'machine_id' | 'status' | 'stopped_at'>[]): Record<string, number> {
  const failed = typeof d.failed_num === 'number' ? d.failed_num : 0;
  if (failed <= 0) return {};
  const ended = containers.filter((c) => ENDED_CONTAINER.has(String(c.status)) || !!c.stopped_at);
  const pool = ended.length > 0 ? ended : containers;
  // a machine id is server text: only a plain, short one is recorded (and named in notes and notifications)
  const hosts = new Set(pool.map((c) => c.machine_id).filter((h) => typeof h === 'string' && MACHINE_ID.test(h)));
  if (hosts.size === 0 || pool.some((c) => !(typeof c.machine_id === 'string' && MACHINE_ID.test(c.machine_id)))) return {};
  if (hosts.size !== 1) return {};
  return { [[...hosts][0]!]: failed };
}

/** Failed containers per host over the entry's earlier runs plus this one. */
export function hostFailures(log: readonly RetryRecord[] | null, now: Record<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of log ?? []) for (const [h, n] of Object.entries(r.failed_on ?? {})) out.set(h, (out.get(h) ?? 0) + n);
  for (const [h, n] of Object.entries(now)) out.set(h, (out.get(h) ?? 0) + n);
  return out;
}

/** Whether the stock shows, on a type the body asks for, at least the cards one container needs. */
export function stockShowsCards(e: Pick<QueueEntry, 'body'>, stock: Stock): boolean {
  const t = e.body.container_template;
  const need = Math.max(1, Math.trunc(Number(t.gpu_num) || 1));
  return t.gpu_name_set.some((g) => Math.trunc(stock[g]?.idle ?? 0) >= need);
}

/** Whether a followed deployment has no container at all yet (none starting, running or ended). */
export function noContainerYet(d: Deployment): boolean {
  const n = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const counts = [n(d.starting_num), n(d.running_num), n(d.finished_num), n(d.failed_num)];
  if (counts.some((c) => c === undefined)) return false; // a list without counts says nothing
  return counts.every((c) => c === 0) && !d.stopped_at && d.status !== 'stopped';
}

/** The retry verdict after the follow found the entry's containers failed. */
export function retryOnFailure(e: Pick<QueueEntry, 'policy' | 'retries' | 'retry_log'>, note: string, failedOn: Record<string, number>): RetryVerdict {
  const p = e.policy?.retry;
  if (!p || e.retries >= p.max) return { retry: false };
  const already = new Set((e.retry_log ?? []).flatMap((r) => r.blacklisted ?? []));
  const hostErrors = [...hostFailures(e.retry_log, failedOn)].filter(([, n]) => n >= HOST_ERROR_FAILURES).map(([h]) => h).sort();
  // only hosts this run failed on can be blacklisted (the endpoint takes one of its containers)
  const blacklist = p.blacklistHosts ? hostErrors.filter((h) => failedOn[h] !== undefined && !already.has(h)) : [];
  if (hostErrors.length > 0 && p.on.includes('host_error')) {
    return { retry: true, cause: 'host_error', detail: `${note}; failed repeatedly on ${hostErrors.join(', ')}`, failedOn, blacklist };
  }
  if (p.on.includes('failed')) return { retry: true, cause: 'failed', detail: note, failedOn, blacklist };
  return { retry: false };
}

/** The retry verdict for a deployment that has no container yet. */
export function retryUnscheduled(e: Pick<QueueEntry, 'policy' | 'retries' | 'submitted_at' | 'body'>, d: Deployment, stock: Stock | undefined, now: number): RetryVerdict {
  const p = e.policy?.retry;
  if (!p || e.retries >= p.max || !p.on.includes('unscheduled') || e.submitted_at === null || !stock) return { retry: false };
  const after = p.unscheduledAfterMs ?? DEFAULT_UNSCHEDULED_AFTER_MS;
  if (now - e.submitted_at < after || !noContainerYet(d) || !stockShowsCards(e, stock)) return { retry: false };
  const idle = e.body.container_template.gpu_name_set.map((g) => `${g} ${Math.trunc(stock[g]?.idle ?? 0)} idle`).join(', ');
  return { retry: true, cause: 'unscheduled', detail: `no container for ${fmtDuration(now - e.submitted_at)} while the stock shows ${idle}`, failedOn: {}, blacklist: [] };
}

/** Whether the follow should look at this entry for an unscheduled retry (before the stock is read). */
export function mayBeUnscheduled(e: Pick<QueueEntry, 'policy' | 'retries' | 'submitted_at' | 'state'>, now: number): boolean {
  const p = e.policy?.retry;
  if (!p || e.retries >= p.max || !p.on.includes('unscheduled') || e.submitted_at === null || e.state !== 'submitted') return false;
  return now - e.submitted_at >= (p.unscheduledAfterMs ?? DEFAULT_UNSCHEDULED_AFTER_MS);
}
