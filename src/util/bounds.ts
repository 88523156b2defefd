// Bounds of every interval and timeout a user, a config or an agent can give (CLI options,
// MCP tool inputs). Past Node's timer limit (2^31-1 ms, about 24.8 days) setTimeout fires
// at once, so an unbounded `--interval` turns a poll into a busy loop; a tiny one floods the
// API. One table, so the CLI, the MCP server and the docs agree.

/** Seconds between two polls: at least 0.05 s (20 a second at most), at most one day. */
export const INTERVAL_MIN_S = 0.05;
export const INTERVAL_MAX_S = 86_400;
/** A timeout in seconds: 0 = no limit where that is the contract, else at most 30 days. */
export const TIMEOUT_MAX_S = 30 * 86_400;
/** The simulator's clock speed (× real time): at most 10000. */
export const SPEED_MAX = 10_000;
/** Node's largest timer delay (ms); sleeps are clamped to it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why `v` is not an interval in seconds, or undefined when it is one. */
export function intervalProblem(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a finite number of seconds';
  if (v < INTERVAL_MIN_S || v > INTERVAL_MAX_S) return `must be between ${INTERVAL_MIN_S} and ${INTERVAL_MAX_S} seconds`;
  return undefined;
}

/** Why `v` is not a timeout in seconds (0 = none), or undefined when it is one. */
export function timeoutProblem(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a finite number of seconds';
  if (v < 0 || v > TIMEOUT_MAX_S) return `must be between 0 (no limit) and ${TIMEOUT_MAX_S} seconds (30 days)`;
  return undefined;
}
