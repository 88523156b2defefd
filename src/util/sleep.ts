import { MAX_TIMER_MS } from './bounds.js';

/** A delay a timer can hold: negative or NaN → 0, past Node's limit → the limit (never "fire at once"). */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}

/** An injectable sleep (tests pass a manual clock's). It may resolve or reject when `signal` aborts: callers check the signal after it. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * The one sleep: `ms` (clamped to Node's timer limit), or less: resolves (never rejects) as soon
 * as `signal` aborts.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, timerDelay(ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
