// `autodl submit`: the queued create, end to end against the simulator. Waiting is driven
// by occupying / freeing GPUs in the in-process world; intervals are fractions of a second.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import {
  collect,
  deploymentConfig,
  json,
  runCli,
  type SimHandle,
  spawnCli,
  useSim,
  waitFor,
  writeConfig,
} from './helpers.js';
import { pathToFileURL } from 'node:url';
import { skewPreload } from '../queue-cli/duplicate-scenarios.js';

function cfg(name: string, gpus: string[], extra: Record<string, unknown> = {}): string {
  return writeConfig(`${name}.json`, deploymentConfig(name, { tpl: { gpu_name_set: gpus, cmd: 'sleep 20', ...extra } }));
}

let sim: SimHandle;
useSim((s) => (sim = s));

const tenant = () => sim.world.tenantFor(sim.token)!;
const deploymentsNamed = (prefix: string) => sim.world.listDeployments(tenant(), {}).filter((d) => d.name.startsWith(prefix));

interface ErrorOut {
  status: string;
  error_type: string;
  message: string;
  details: Record<string, unknown>;
}

describe('submit', () => {
  test('GPUs free: creates at once; the contract result on stdout', async () => {
    const r = await runCli(['submit', cfg('sub-now', ['RTX 4090']), '--interval', '0.05'], { sim });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const res = json<{ status: string; deployment_uuid: string; waited_seconds: number }>(r);
    assert.equal(res.status, 'success');
    assert.equal(typeof res.waited_seconds, 'number');
    const d = sim.world.listDeployments(tenant(), { deployment_uuid: res.deployment_uuid });
    assert.equal(d.length, 1);
    assert.ok(d[0]!.name.startsWith('sub-now'));
  });

  test('waits while no GPU is idle, NDJSON progress on stderr with --json, creates once one is freed', async () => {
    const took = sim.world.occupy('RTX 2080 Ti', 1000);
    assert.ok(took > 0);
    // RTX 2080 Ti hosts' drivers stop at CUDA 11.6
    const child = spawnCli(['submit', cfg('sub-wait', ['RTX 2080 Ti'], { cuda_v: 116 }), '--interval', '0.05', '--json'], { sim });
    const done = collect(child);
    await waitFor(child, 'stderr', '"type":"waiting"');
    assert.equal(deploymentsNamed('sub-wait').length, 0, 'nothing created while waiting');
    sim.world.free('RTX 2080 Ti', took);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const res = json<{ status: string; deployment_uuid: string }>(r);
    assert.equal(res.status, 'success');
    assert.equal(deploymentsNamed('sub-wait').length, 1);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string; idle?: Record<string, number>; attempt?: number });
    const waiting = events.filter((e) => e.type === 'waiting');
    assert.ok(waiting.length >= 1);
    assert.deepEqual(waiting[0]!.idle, { 'RTX 2080 Ti': 0 });
    assert.equal(typeof waiting[0]!.attempt, 'number');
  });

  test('timeout: exit 2, elapsed/timeout/last_stock in details, nothing created', async () => {
    const took = sim.world.occupy('L20', 1000);
    try {
      const r = await runCli(['submit', cfg('sub-timeout', ['L20']), '--interval', '0.05', '--timeout', '0.3'], { sim });
      assert.equal(r.code, 2, r.stderr + r.stdout);
      const e = json<ErrorOut>(r);
      assert.equal(e.status, 'error');
      assert.equal(e.error_type, 'timeout');
      assert.equal(typeof e.message, 'string');
      assert.equal(e.details.timeout_seconds, 0.3);
      assert.equal(typeof e.details.elapsed_seconds, 'number');
      const total = sim.world.stock().get('L20')!.total;
      assert.deepEqual(e.details.last_stock, { L20: { idle: 0, total } });
      assert.equal(deploymentsNamed('sub-timeout').length, 0);
    } finally {
      sim.world.free('L20', took);
    }
  });

  test('Ctrl-C while waiting: exit 130, error_type interrupted, nothing created', async () => {
    const took = sim.world.occupy('A800-80GB', 1000);
    try {
      const child = spawnCli(['submit', cfg('sub-int', ['A800-80GB']), '--interval', '0.05', '--json'], { sim });
      const done = collect(child);
      await waitFor(child, 'stderr', '"type":"waiting"');
      child.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 130, r.stderr + r.stdout);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'interrupted');
      assert.equal(deploymentsNamed('sub-int').length, 0);
    } finally {
      sim.world.free('A800-80GB', took);
    }
    // freeing the GPUs afterwards creates nothing either: the process is gone
    sim.world.advance(10_000);
    assert.equal(deploymentsNamed('sub-int').length, 0);
  });

  test('plain progress lines on a non-TTY stderr without --json; zh with --lang zh', async () => {
    const took = sim.world.occupy('RTX 3090', 1000);
    try {
      for (const [lang, pattern, interrupted] of [
        ['en', /waiting for GPUs · .* · check #1 · idle RTX 3090=0/, /interrupted/],
        ['zh', /等待 GPU · .* · 第 1 次检查 · 空闲 RTX 3090=0/, /中断/],
      ] as const) {
        const child = spawnCli(['submit', cfg(`sub-plain-${lang}`, ['RTX 3090']), '--interval', '0.05', '--no-json', '--lang', lang], { sim });
        const done = collect(child);
        await waitFor(child, 'stderr', pattern);
        child.kill('SIGINT');
        const r = await done;
        assert.equal(r.code, 130);
        assert.match(r.stderr, pattern);
        assert.match(r.stderr, interrupted);
        assert.ok(!r.stderr.includes('\r'), 'no in-place updates off a terminal');
        assert.ok(!r.stderr.includes('\x1b['), 'no colour off a terminal');
        assert.equal(r.stdout, '', 'a human error goes to stderr');
      }
    } finally {
      sim.world.free('RTX 3090', took);
    }
  });

  test('image_not_found: requested and available_images', async () => {
    const r = await runCli(['submit', cfg('sub-img', ['RTX 4090'], { image_uuid: 'image-does-not-exist' }), '--interval', '0.05'], { sim });
    assert.equal(r.code, 1);
    const e = json<ErrorOut>(r);
    assert.equal(e.status, 'error');
    assert.equal(e.error_type, 'image_not_found');
    assert.equal(e.details.requested, 'image-does-not-exist');
    const available = e.details.available_images as Array<{ image_uuid: string }>;
    assert.ok(available.some((i) => i.image_uuid === DEMO_IMAGE_UUID));
    assert.equal(deploymentsNamed('sub-img').length, 0);
  });

  test('gpu_type_not_found: requested and available_gpus', async () => {
    const r = await runCli(['queue-submit', cfg('sub-gpu', ['H100 NVL', 'B200']), '--interval', '0.05'], { sim });
    assert.equal(r.code, 1);
    const e = json<ErrorOut>(r);
    assert.equal(e.error_type, 'gpu_type_not_found');
    assert.deepEqual(e.details.requested, ['H100 NVL', 'B200']);
    assert.deepEqual([...(e.details.available_gpus as string[])].sort(), [...sim.world.stock().keys()].sort());
  });

  test('a missing GPU type among existing ones is a warning on stderr, not an error', async () => {
    const r = await runCli(['submit', cfg('sub-warn', ['H100 NVL', 'RTX 4090']), '--interval', '0.05', '--json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string; missing?: string[] }).filter((e) => e.type === 'warning');
    assert.deepEqual(warnings.map((w) => w.missing), [['H100 NVL']]);
  });

  test('submission_error (natural): GPUs idle, but no host of that type can run the CUDA asked for', async () => {
    const creates = sim.stats.count('POST', '/api/v1/dev/deployment');
    const r = await runCli(['submit', cfg('sub-cuda', ['RTX 2080 Ti'], { cuda_v: 122 }), '--interval', '0.05'], { sim });
    assert.equal(r.code, 3, r.stderr + r.stdout);
    const e = json<ErrorOut>(r);
    assert.equal(e.status, 'error');
    assert.equal(e.error_type, 'submission_error');
    const resp = e.details.api_response as { code?: string; msg?: string };
    assert.equal(typeof resp.code, 'string');
    assert.notEqual(resp.code, 'Success');
    assert.match(String(e.details.suggestion), /cuda/i);
    assert.equal(sim.stats.count('POST', '/api/v1/dev/deployment') - creates, 3, 'exactly three creates');
    assert.equal(deploymentsNamed('sub-cuda').length, 0);
  });

  test('submission_error (fault): GPUs idle but the create fails 3 times', async () => {
    const creates = sim.stats.count('POST', '/api/v1/dev/deployment');
    sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment', kind: 'envelope_error', count: 10, code: 'Failed', msg: '请求参数错误' });
    try {
      const r = await runCli(['submit', cfg('sub-fail', ['RTX 4090']), '--interval', '0.05'], { sim });
      assert.equal(r.code, 3, r.stderr + r.stdout);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'submission_error');
      assert.ok(e.details.api_response !== undefined, 'api_response present');
      assert.match(JSON.stringify(e.details.api_response), /请求参数错误/);
      assert.equal(typeof e.details.suggestion, 'string');
      assert.equal(sim.stats.count('POST', '/api/v1/dev/deployment') - creates, 3);
      assert.equal(deploymentsNamed('sub-fail').length, 0);
    } finally {
      sim.faults.clear();
    }
  });

  test('--dry-run validates offline and sends nothing', async () => {
    const n = sim.requests();
    const r = await runCli(['submit', cfg('sub-dry', ['RTX 4090']), '--dry-run'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ dry_run: boolean; method: string; url: string; body: { name: string } }>(r);
    assert.equal(out.dry_run, true);
    assert.equal(out.method, 'POST');
    assert.equal(out.url, `${sim.url}/api/v1/dev/deployment`);
    // the name as it is sent: marked with the entry's tag (######## until the entry exists: same length)
    assert.equal(out.body.name, 'sub-dry-q########');
    assert.equal(sim.requests(), n);
  });

  test('bad --interval / --timeout values are config_error before any request', async () => {
    const n = sim.requests();
    for (const args of [['--interval', '0'], ['--interval', 'soon'], ['--timeout', '-1']]) {
      const r = await runCli(['submit', cfg('sub-args', ['RTX 4090']), ...args], { sim });
      assert.equal(r.code, 1, args.join(' '));
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'config_error');
      assert.equal(e.details.code, 'commander.invalidArgument');
    }
    assert.equal(sim.requests(), n);
  });

  // ---------- issue 11: a durable submit ----------

  const freshDb = () => join(mkdtempSync(join(tmpdir(), 'autodl-submit-db-')), 'queue.db');
  const createPath = '/api/v1/dev/deployment';

  test('kill -9 during the create, then the same submit again: the earlier create is found (resumed, found_earlier_create), one deployment', async () => {
    const db = freshDb();
    const path = cfg('sub-durable', ['RTX 4090']);
    const creates = sim.stats.count('POST', createPath);
    sim.faults.add({ method: 'POST', path: createPath, kind: 'slow', delay_ms: 2500, count: 1 });
    try {
      const child = spawnCli(['submit', path, '--interval', '0.05', '--json', '--db', db], { sim });
      const done = collect(child);
      await waitFor(child, 'stderr', '"type":"creating"');
      // the create has reached the simulator (it answers after the delay, and applies it then)
      while (sim.stats.count('POST', createPath) === creates) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      const killed = await done;
      assert.equal(killed.signal, 'SIGKILL');
      const r = await runCli(['submit', path, '--interval', '0.05', '--json', '--db', db, '--settle', '30'], { sim });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const res = json<{ status: string; deployment_uuid: string; waited_seconds: number; resumed: boolean; found_earlier_create: boolean }>(r);
      assert.equal(res.status, 'success');
      assert.equal(typeof res.waited_seconds, 'number');
      assert.equal(res.resumed, true);
      assert.equal(res.found_earlier_create, true);
      const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
      assert.ok(events.some((e) => e.type === 'resumed'), r.stderr);
      assert.ok(events.some((e) => e.type === 'found_earlier_create'), r.stderr);
      const made = deploymentsNamed('sub-durable');
      assert.equal(made.length, 1, 'exactly one deployment');
      assert.equal(made[0]!.uuid, res.deployment_uuid);
      assert.equal(sim.stats.count('POST', createPath) - creates, 1, 'the rerun sent no create');
    } finally {
      sim.faults.clear();
    }
  });

  test('human output of a resumed submit: a line saying it resumed and found the earlier create (zh too)', async () => {
    for (const [lang, resumedLine, foundLine] of [
      ['en', /resuming the interrupted submit q-/, /found the earlier create of q-\S+: deployment \S+/],
      ['zh', /继续同一配置中断的提交 q-/, /找到了 q-\S+ 上一次的创建/],
    ] as const) {
      const db = freshDb();
      const path = cfg(`sub-durable-h-${lang}`, ['RTX 4090']);
      const creates = sim.stats.count('POST', createPath);
      sim.faults.add({ method: 'POST', path: createPath, kind: 'slow', delay_ms: 2500, count: 1 });
      try {
        const child = spawnCli(['submit', path, '--interval', '0.05', '--json', '--db', db], { sim });
        const done = collect(child);
        await waitFor(child, 'stderr', '"type":"creating"');
        while (sim.stats.count('POST', createPath) === creates) await new Promise((r) => setTimeout(r, 10));
        child.kill('SIGKILL');
        await done;
        const r = await runCli(['submit', path, '--interval', '0.05', '--no-json', '--lang', lang, '--db', db, '--settle', '30'], { sim });
        assert.equal(r.code, 0, r.stderr + r.stdout);
        assert.match(r.stderr, resumedLine);
        assert.match(r.stderr, foundLine);
        assert.equal(deploymentsNamed(`sub-durable-h-${lang}`).length, 1);
      } finally {
        sim.faults.clear();
      }
    }
  });

  test('a submit that completed does not block the same config: submitted again, a second deployment (not resumed)', async () => {
    const db = freshDb();
    const path = cfg('sub-twice', ['RTX 4090']);
    const uuids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['submit', path, '--interval', '0.05', '--json', '--db', db], { sim });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const res = json<{ deployment_uuid: string; resumed: boolean; found_earlier_create: boolean }>(r);
      assert.deepEqual([res.resumed, res.found_earlier_create], [false, false]);
      uuids.push(res.deployment_uuid);
    }
    assert.notEqual(uuids[0], uuids[1]);
    assert.equal(deploymentsNamed('sub-twice').length, 2);
  });

  test('the submit is recorded in the queue store (AUTODL_QUEUE_DB), under its account, never with the token', async () => {
    const db = freshDb();
    const r = await runCli(['submit', cfg('sub-recorded', ['RTX 4090']), '--interval', '0.05', '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const res = json<{ entry_id: string; deployment_uuid: string }>(r);
    const show = await runCli(['queue', 'show', res.entry_id, '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
    assert.equal(show.code, 0, show.stderr);
    const entry = json<{ entry: { state: string; deployment_uuid: string; account: string | null } }>(show).entry;
    assert.equal(entry.state, 'submitted');
    assert.equal(entry.deployment_uuid, res.deployment_uuid);
    assert.match(String(entry.account), /^[0-9a-f]{16}$/);
    assert.ok(!show.stdout.includes(sim.token));
  });

  test('a queue store that keeps nothing (--db :memory:, AUTODL_QUEUE_DB=:memory:): config_error before any create', async () => {
    const creates = sim.stats.count('POST', createPath);
    for (const o of [{ args: ['--db', ':memory:'] }, { args: [], env: { AUTODL_QUEUE_DB: ':memory:' } }]) {
      const r = await runCli(['submit', cfg('sub-mem', ['RTX 4090']), '--interval', '0.05', '--json', ...o.args], { sim, ...(o.env ? { env: o.env } : {}) });
      assert.equal(r.code, 1, r.stderr + r.stdout);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'config_error');
      assert.equal(e.details.path, ':memory:');
    }
    assert.equal(sim.stats.count('POST', createPath), creates);
  });
  // red-team of issue 11: the submit is one of the parties on a queue, so its lease and send
  // time must be on the database's clock like a worker's, or a worker (or a rerun) on another
  // clock takes its in-flight create for expired and creates again.
  test('a submit whose clock runs 8 min behind and a queue worker of the same account on the same queue while its create is in flight: one deployment', async () => {
    const db = freshDb();
    const path = cfg('sub-skew', ['RTX 4090']);
    const creates = sim.stats.count('POST', createPath);
    sim.faults.add({ method: 'POST', path: createPath, kind: 'slow', delay_ms: 2500, count: 2 });
    try {
      const child = spawnCli(['submit', path, '--interval', '0.05', '--json', '--db', db], {
        sim,
        env: { NODE_OPTIONS: `--import ${pathToFileURL(skewPreload()).href}`, AUTODL_SKEW_PRELOAD_MS: String(-8 * 60_000) },
      });
      const done = collect(child);
      await waitFor(child, 'stderr', '"type":"creating"');
      while (sim.stats.count('POST', createPath) === creates) await new Promise((r) => setTimeout(r, 10));
      // the create is in flight: a worker (true clock) ticks once on the same queue
      const w = await runCli(['queue', 'run', '--db', db, '--once', '--json', '--interval', '0.2'], { sim });
      assert.equal(w.code, 0, w.stderr + w.stdout);
      const r = await done;
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const res = json<{ deployment_uuid: string }>(r);
      await new Promise((res) => setTimeout(res, 2600)); // a create the worker may have sent lands
      const made = deploymentsNamed('sub-skew');
      assert.equal(made.length, 1, `exactly one deployment, got ${made.length}; worker: ${w.stderr.slice(-600)}`);
      assert.equal(made[0]!.uuid, res.deployment_uuid);
      assert.equal(sim.stats.count('POST', createPath) - creates, 1, 'the worker sent no create for the submit\'s entry');
    } finally {
      sim.faults.clear();
    }
  });
  // red-team of issue 11: a --timeout that ends while a create's outcome is unknown (its reply
  // lost, held for the settle window) used to say "no GPU became free" — while GPUs were free,
  // a create had been sent and may yet be applied. It must say that the outcome is unknown and
  // that the same submit again resumes it.
  test('--timeout while a create whose reply was lost is settling: timeout (exit 2) that says the create is in flight, en and zh; a rerun resumes it', async () => {
    const db = freshDb();
    const path = cfg('sub-lost-timeout', ['RTX 4090']);
    const creates = sim.stats.count('POST', createPath);
    sim.faults.add({ method: 'POST', path: createPath, kind: 'reset', count: 1 });
    try {
      const r = await runCli(['submit', path, '--interval', '0.05', '--timeout', '0.5', '--json', '--db', db, '--settle', '600'], { sim });
      assert.equal(r.code, 2, r.stderr + r.stdout);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'timeout');
      assert.equal(e.details.in_flight, true, JSON.stringify(e));
      assert.match(String(e.details.entry_id), /^q-/);
      assert.doesNotMatch(e.message, /no GPU became free/);
      assert.match(e.message, /outcome of a create is unknown/);
      assert.equal(sim.stats.count('POST', createPath) - creates, 1, 'one create was sent');
      const zh = await runCli(['submit', path, '--interval', '0.05', '--timeout', '0.5', '--no-json', '--lang', 'zh', '--db', db, '--settle', '600'], { sim });
      assert.equal(zh.code, 2, zh.stderr);
      assert.doesNotMatch(zh.stderr, /等待 GPU 超时/);
      assert.match(zh.stderr, /结果未知/);
      assert.equal(sim.stats.count('POST', createPath) - creates, 1, 'the rerun, still inside the window, sent no create');
    } finally {
      sim.faults.clear();
    }
  });
  // red-team of issue 11: a caller that gives up on a submit (a harness's timeout: SIGTERM)
  // while its create is in flight does not read the result the submit still prints. The intent
  // was cleared anyway, so the caller's retry of the same submit made a second deployment.
  test('SIGTERM while the create is in flight: the result is printed, the intent stays, the same submit again reports that deployment', async () => {
    const db = freshDb();
    const path = cfg('sub-term', ['RTX 4090']);
    const creates = sim.stats.count('POST', createPath);
    sim.faults.add({ method: 'POST', path: createPath, kind: 'slow', delay_ms: 2000, count: 2 });
    try {
      const child = spawnCli(['submit', path, '--interval', '0.05', '--json', '--db', db], { sim });
      const done = collect(child);
      await waitFor(child, 'stderr', '"type":"creating"');
      while (sim.stats.count('POST', createPath) === creates) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGTERM');
      const first = await done;
      assert.equal(first.code, 0, first.stderr + first.stdout);
      const made = json<{ deployment_uuid: string }>(first).deployment_uuid;
      const r = await runCli(['submit', path, '--interval', '0.05', '--json', '--db', db], { sim });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const res = json<{ deployment_uuid: string; resumed: boolean; found_earlier_create: boolean }>(r);
      assert.equal(res.deployment_uuid, made);
      assert.deepEqual([res.resumed, res.found_earlier_create], [true, true]);
      assert.equal(deploymentsNamed('sub-term').length, 1);
      assert.equal(sim.stats.count('POST', createPath) - creates, 1, 'the rerun sent no create');
    } finally {
      sim.faults.clear();
    }
  });
});
