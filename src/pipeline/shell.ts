// A tiny shell scanner for lints: finds the control operators of a command line at the
// top level (outside quotes, comments, $( … ), ( … ) and backticks). Not a full parser:
// enough to tell `a && b || c` from `if a; then b; fi`, and `x &` from `x & sleep infinity`.

export type ShellOp = '&&' | '||' | ';' | '&' | '|' | '\n';

export interface ShellScan {
  /** Top-level operators in order, with their offsets. */
  ops: Array<{ op: ShellOp; at: number }>;
  /** Offset of the last top-level character that belongs to a command word (-1 if none). */
  lastContent: number;
}

export function scanShell(cmd: string): ShellScan {
  const ops: ShellScan['ops'] = [];
  let lastContent = -1;
  let depth = 0; // ( … ) and $( … )
  let i = 0;
  const n = cmd.length;
  const content = (at: number) => {
    if (depth === 0) lastContent = at;
  };
  while (i < n) {
    const c = cmd[i] as string;
    if (c === '\\') {
      content(i + 1 < n ? i + 1 : i);
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = cmd.indexOf("'", i + 1);
      const stop = end === -1 ? n - 1 : end;
      content(stop);
      i = stop + 1;
      continue;
    }
    if (c === '"' || c === '`') {
      let k = i + 1;
      while (k < n && cmd[k] !== c) k += cmd[k] === '\\' ? 2 : 1;
      const stop = Math.min(k, n - 1);
      content(stop);
      i = stop + 1;
      continue;
    }
    if (c === '#' && (i === 0 || /[\s;&|()]/.test(cmd[i - 1] as string))) {
      const nl = cmd.indexOf('\n', i);
      i = nl === -1 ? n : nl;
      continue;
    }
    if (c === '(') {
      content(i);
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      if (depth > 0) depth--;
      content(i);
      i++;
      continue;
    }
    if (c === '&' || c === '|' || c === ';' || c === '\n') {
      const next = cmd[i + 1];
      const prev = i > 0 ? cmd[i - 1] : undefined;
      // redirections: 2>&1, >&2, <&3, &>file, &>>file
      if (c === '&' && (prev === '>' || prev === '<' || next === '>')) {
        content(i);
        i++;
        continue;
      }
      let op: ShellOp;
      if (c === '&' && next === '&') op = '&&';
      else if (c === '|' && next === '|') op = '||';
      else if (c === '|' && next === '&') op = '|'; // |& pipes stderr too
      else if (c === ';' && next === ';') op = ';'; // ;; in case
      else op = c as ShellOp;
      if (depth === 0) ops.push({ op, at: i });
      i += op.length === 2 || (c === '|' && next === '&') || (c === ';' && next === ';') ? 2 : 1;
      continue;
    }
    if (!/\s/.test(c)) content(i);
    i++;
  }
  return { ops, lastContent };
}

/** True when some top-level and-or list mixes && with || (`a && b || c`). */
export function mixesAndOr(cmd: string): boolean {
  const { ops } = scanShell(cmd);
  let and = false;
  let or = false;
  for (const { op } of ops) {
    if (op === '&&') and = true;
    else if (op === '||') or = true;
    else if (op === ';' || op === '&' || op === '\n') {
      and = false;
      or = false;
    }
    if (and && or) return true;
  }
  return false;
}

/** True when the command's last top-level command is sent to the background (`… &`). */
export function endsInBackground(cmd: string): boolean {
  const { ops, lastContent } = scanShell(cmd);
  return ops.some((o) => o.op === '&' && o.at > lastContent);
}

/** True when the command runs `conda activate` / `source activate` (does not work in cmd). */
export function usesCondaActivate(cmd: string): boolean {
  return /(^|[\s;&|(`])(conda|source|\.)\s+activate(\s|$|;|&|\|)/.test(cmd);
}

/**
 * True when the command's last top-level command is `sleep infinity` (`sleep inf`, `exec sleep
 * infinity`): the command never returns, so a Job with it never finishes.
 */
export function endsInSleepInfinity(cmd: string): boolean {
  const { ops, lastContent } = scanShell(cmd);
  if (lastContent < 0 || ops.some((o) => o.op === '&' && o.at > lastContent)) return false;
  let start = 0;
  for (const o of ops) if (o.at < lastContent) start = o.at + (o.op.length === 2 ? 2 : 1);
  const last = cmd.slice(start, lastContent + 1).trim();
  return /^(exec\s+)?sleep\s+(infinity|inf)$/.test(last);
}
