// queueChanges: what `queue ls --watch` reports between two listings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queueChanges } from '../../src/cli/commands/queue-ls.js';
import type { EntryState, QueueEntry } from '../../src/queue/types.js';

const entry = (id: string, state: EntryState): QueueEntry => ({ id, state, body: { name: `n-${id}` } }) as unknown as QueueEntry;
const map = (...es: QueueEntry[]) => new Map(es.map((e) => [e.id, e]));
const active = (s: EntryState) => s !== 'finished' && s !== 'cancelled';

test('new entries, moves, and entries leaving the view are changes; the rest are not', () => {
  const prev = map(entry('a', 'pending'), entry('b', 'submitted'), entry('c', 'running'), entry('d', 'finished'));
  const next = [entry('a', 'pending'), entry('b', 'running'), entry('c', 'finished'), entry('d', 'finished'), entry('e', 'pending'), entry('f', 'cancelled')];
  assert.deepEqual(queueChanges(prev, next, active), [
    { id: 'b', name: 'n-b', from: 'submitted', to: 'running' },
    { id: 'c', name: 'n-c', from: 'running', to: 'finished' },
    { id: 'e', name: 'n-e', from: null, to: 'pending' },
  ]);
  // with everything shown, the new cancelled entry is a change too
  assert.deepEqual(
    queueChanges(prev, next).map((c) => c.id),
    ['b', 'c', 'e', 'f'],
  );
  assert.deepEqual(queueChanges(prev, [...prev.values()], active), []);
});
