// What the local queue database should learn from a command run outside the queue: a
// deployment deleted by `autodl delete` has ended (its entry, if it has one, is finished now),
// so that `autodl cost` counts what it spent up to then and no more. Best effort: the database
// is opened only when it exists already, and a failure to record is never the command's failure.
import { existsSync } from 'node:fs';
import type { CliContext } from './runtime.js';

export async function recordDeploymentEnded(ctx: CliContext, deploymentUuid: string, note: string): Promise<void> {
  try {
    const { queuePath } = await import('./commands/queue-common.js');
    const path = await queuePath(ctx, {});
    if (!/^postgres(ql)?:\/\//i.test(path) && !existsSync(path)) return;
    const { openQueueStore } = await import('../queue/open.js');
    const { ALIVE_STATES } = await import('../queue/states.js');
    const store = await openQueueStore(path);
    try {
      const now = Date.now();
      for (const e of await store.list({ states: ALIVE_STATES })) {
        if (e.deployment_uuid !== deploymentUuid) continue;
        await store.transition(e.id, 'finished', { from: e.state, now, note, set: { finished_at: now } });
      }
    } finally {
      await store.close();
    }
  } catch {
    /* the queue is a record, not the command: nothing to do */
  }
}
