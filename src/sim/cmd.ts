// The simulator's reading of a container `cmd` (documented in docs/simulator.md).
// A container lives exactly as long as its command; the simulator cannot run anything,
// so it recognises a few shapes.

export type CmdPlan =
  | { kind: 'forever'; reason: 'sleep_infinity' | 'and_or_trap' }
  | { kind: 'exit'; afterMs: number; code: number; reason: 'sleep' | 'exit' | 'background_only' | 'default' };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * - mixes `&&` with `||`        → never ends (the trap)
 * - ends with `sleep infinity`  → never ends
 * - `sleep N[s|m|h|d]`          → N seconds, exit 0; `sleep N; exit K` / `sleep N && exit K` → exit K
 * - `exit K`                    → ends at once with code K
 * - ends with a lone `&`        → only starts a background process: ends at once, exit 0
 * - anything else               → `defaultSeconds`, exit 0 (`…; exit K` at the end → exit K)
 * The lifetime counts from `running`.
 */
export function planCmd(cmd: string, defaultSeconds: number): CmdPlan {
  const s = cmd.trim();
  if (s.includes('&&') && s.includes('||')) return { kind: 'forever', reason: 'and_or_trap' };
  if (/(^|[\s;&|])sleep\s+inf(inity)?\s*;?\s*$/.test(s)) return { kind: 'forever', reason: 'sleep_infinity' };
  const sleep = /^sleep\s+(\d+(?:\.\d+)?)([smhd])?\s*(?:(?:;|&&)\s*exit\s+(\d+)\s*)?;?\s*$/.exec(s);
  if (sleep) {
    const ms = Math.round(Number(sleep[1]) * UNIT_MS[sleep[2] ?? 's']!);
    return { kind: 'exit', afterMs: ms, code: Number(sleep[3] ?? 0), reason: 'sleep' };
  }
  const exit = /^exit\s+(\d+)\s*;?\s*$/.exec(s);
  if (exit) return { kind: 'exit', afterMs: 0, code: Number(exit[1]), reason: 'exit' };
  if (/(^|[^&])&\s*$/.test(s)) return { kind: 'exit', afterMs: 0, code: 0, reason: 'background_only' };
  const tailExit = /;\s*exit\s+(\d+)\s*;?\s*$/.exec(s);
  return { kind: 'exit', afterMs: defaultSeconds * 1000, code: tailExit ? Number(tailExit[1]) : 0, reason: 'default' };
}
