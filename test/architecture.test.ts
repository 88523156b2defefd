// The layers of src/ (docs/architecture.md): every import goes down, and the picture in the
// doc is the one the imports give today.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain .mjs script, no declarations
import { ALLOWED, LAYERS, check, docIsCurrent, importEdges } from '../scripts/layers.mjs';

type Edge = { from: string; to: string; file: string; spec: string };

test('the import scan sees the edges every reader knows (it is not blind)', () => {
  const edges = importEdges() as Edge[];
  const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
  assert.ok(has('cli', 'api'), 'cli imports the SDK');
  assert.ok(has('queue', 'api'), 'the queue imports the SDK');
  assert.ok(has('sim', 'api'), 'the simulator imports the wire types');
  assert.ok(edges.length > 50, `only ${edges.length} edges found`);
});

test('every folder of src/ is in a layer, and no import goes up (except the listed ones)', () => {
  assert.deepEqual(check(), []);
  for (const [edge, why] of ALLOWED as Map<string, string>) assert.ok(why.length > 10, `${edge} needs a reason`);
});

test('nothing under src/api imports src/credentials (no api ⇄ credentials cycle)', () => {
  const bad = (importEdges() as Edge[]).filter((e) => e.from === 'api' && e.to === 'credentials');
  assert.deepEqual(bad.map((e) => e.file), []);
  const api = (LAYERS as Array<[string[], string]>).findIndex(([u]) => u.includes('api'));
  const cred = (LAYERS as Array<[string[], string]>).findIndex(([u]) => u.includes('credentials'));
  assert.ok(api < cred);
});

test('docs/architecture.md carries the current picture (node scripts/layers.mjs --write)', () => {
  assert.ok(docIsCurrent());
});
