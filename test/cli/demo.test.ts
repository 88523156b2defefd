// The README's main job, `autodl demo`, end to end: the embedded simulator, a queued submit
// that has to wait for a GPU, then is created, runs and finishes — no token anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, runCli } from './helpers.js';

test('autodl demo: waits for a GPU, creates, follows the Job to finished, costs it', async () => {
  ensureBuilt();
  const r = await runCli(['demo', '--speed', '40', '--busy', '1.5', '--interval', '0.5'], { env: { AUTODL_TOKEN: undefined, AUTODL_HOST: undefined } });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  const all = r.stdout + r.stderr;
  assert.match(all, /two RTX 4090 cards were just freed/);
  assert.match(all, /created deployment \w+ after waiting \d+s/);
  assert.match(all, /finished/);
  assert.match(all, /running\/starting\/finished\/failed\s+0\/0\/4\/0/, 'describe shows 4 of 4 finished');
  assert.match(all, /Total: ¥0\.\d\d/);
  // the submit waited: it saw no idle card at least once before the GPUs were freed
  assert.match(all, /idle RTX 4090=0|"RTX 4090":0/);
});
