// The docs' view of the state machine (./states.ts): a mermaid diagram and two tables,
// written between markers into docs/queue.md by scripts/gen-states.ts. A test renders it
// again and fails when the committed text differs, so the docs cannot drift from the table.

import { ENTRY_STATES, STATES, TRANSITIONS, movesFrom, type EntryState } from './states.js';

export const STATES_DOC_BEGIN = '<!-- states:begin (generated from src/queue/states.ts by `node --import tsx scripts/gen-states.ts`; do not edit) -->';
export const STATES_DOC_END = '<!-- states:end -->';

const yes = (b: boolean) => (b ? 'yes' : '');

/** The mermaid state diagram: one arrow per (from, to) pair, labelled with its operations. */
export function statesMermaid(): string {
  const lines = ['```mermaid', 'stateDiagram-v2'];
  const pairs = new Map<string, { from: EntryState | null; to: EntryState; ops: string[] }>();
  for (const t of TRANSITIONS) {
    const key = `${t.from ?? '[*]'}>${t.to}`;
    const p = pairs.get(key) ?? { from: t.from, to: t.to, ops: [] };
    if (!p.ops.includes(t.op)) p.ops.push(t.op);
    pairs.set(key, p);
  }
  for (const p of pairs.values()) lines.push(`  ${p.from ?? '[*]'} --> ${p.to}: ${p.ops.join(', ')}`);
  lines.push('```');
  return lines.join('\n');
}

/** The states table: meaning, sets, and where each may move. */
export function statesTable(): string {
  const rows = [
    '| state | meaning | terminal | alive | leased | `queue ls` by default | moves to |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of ENTRY_STATES) {
    const st = STATES[s];
    const to = movesFrom(s).filter((x) => x !== s);
    rows.push(`| \`${s}\` | ${st.meaning} | ${yes(st.terminal)} | ${yes(st.alive)} | ${yes(st.leased)} | ${yes(st.listedByDefault)} | ${to.map((x) => `\`${x}\``).join(', ') || '—'} |`);
  }
  return rows.join('\n');
}

/** The transitions table: every move with its operation. */
export function transitionsTable(): string {
  const rows = ['| operation | from | to | when |', '|---|---|---|---|'];
  for (const t of TRANSITIONS) rows.push(`| \`${t.op}\` | ${t.from ? `\`${t.from}\`` : '(new)'} | \`${t.to}\` | ${t.when} |`);
  return rows.join('\n');
}

/** The whole generated block, markers included. */
export function statesDoc(): string {
  return [
    STATES_DOC_BEGIN,
    '',
    statesMermaid(),
    '',
    statesTable(),
    '',
    transitionsTable(),
    '',
    'A move to the same state (a note or fields only) is allowed in every state; any other move ' +
      'not in this table is refused by every store (`validation_error`, `details.reason` ' +
      '`transition_not_allowed`) and writes nothing.',
    '',
    STATES_DOC_END,
  ].join('\n');
}

/** `text` with its generated block replaced by the current one; throws when the markers are missing. */
export function withStatesDoc(text: string): string {
  const a = text.indexOf(STATES_DOC_BEGIN);
  const b = text.indexOf(STATES_DOC_END);
  if (a < 0 || b < a) throw new Error('the states markers are missing');
  return text.slice(0, a) + statesDoc() + text.slice(b + STATES_DOC_END.length);
}

/** The files (from the repository root) that carry the generated block. */
export const STATES_DOC_FILES: readonly string[] = ['docs/queue.md'];
