// watch on a terminal: frames redrawn in place (cursor hidden, moved up over the last frame,
// screen below cleared), lines cut to the width, the cursor shown again at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { AutodlClient } from '../../src/api/client.js';
import { CliContext } from '../../src/cli/runtime.js';
import { run } from '../../src/cli/commands/watch.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import { startSim, tempHome, type SimHandle } from '../cli/helpers.js';

let sim: SimHandle;
before(async () => {
  sim = await startSim();
});
after(() => sim.close());

class Tty extends Writable {
  isTTY = true;
  columns = 100;
  rows = 40;
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

test('frames redraw in place and the cursor comes back', async () => {
  const api = new AutodlClient({ token: sim.token, host: sim.url });
  const { deployment_uuid: uuid } = await api.deployments.create({
    name: 'tty-watch',
    deployment_type: 'ReplicaSet',
    replica_num: 2,
    container_template: { gpu_name_set: ['RTX 3090'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity' },
  });
  sim.world.advance(30_000);
  const stdout = new Tty();
  const stderr = new Tty();
  const home = tempHome();
  const ctx = new CliContext(
    { json: false },
    { stdout, stderr, stdin: process.stdin, env: { ...home.env, AUTODL_HOST: sim.url, AUTODL_TOKEN: sim.token, NO_COLOR: '1' }, cwd: home.dir },
  );
  await run(ctx, [uuid], { interval: 0.01, count: 3, events: true });
  home.cleanup();
  const out = stdout.text;
  assert.ok(out.startsWith('\x1b[?25l'), 'cursor hidden first');
  assert.ok(out.endsWith('\x1b[?25h'), 'cursor shown at the end');
  const frames = out.slice('\x1b[?25l'.length, -'\x1b[?25h'.length).split(/\x1b\[(\d+)F\x1b\[J/);
  // [frame1, n1, frame2, n2, frame3]
  assert.equal(frames.length, 5, JSON.stringify(out.slice(0, 300)));
  const lineCount = (f: string) => f.split('\n').length - 1;
  assert.equal(Number(frames[1]), lineCount(frames[0]!), 'moves up exactly over the previous frame');
  assert.equal(Number(frames[3]), lineCount(frames[2]!));
  const frame = frames[4]!;
  assert.match(frame, /CONTAINER\s+STATUS\s+MACHINE\s+DC\s+GPU\s+AGE\s+PRICE/);
  assert.equal((frame.match(/ running /g) ?? []).length >= 2, true);
  assert.match(frame, /Events/);
  for (const line of frame.split('\n')) assert.ok(line.length < 100, `line cut to the width: ${line}`);
  assert.ok(!out.includes(sim.token));
});
