// Issue 15 §1: a deployment has one name. `submit` and the queue create `<name>-q<tag>`; every
// command that takes a deployment resolves what the user has at hand (the name they wrote, the
// marked name, a unique uuid prefix, a queue entry id; for ssh a deployment with one container)
// and says which deployment it took; previews show the marked name; a name too long once marked
// is refused before anything is stored or sent. End to end: the built CLI over HTTP against the
// simulator.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, deploymentConfig, json, runCli, spawnCli, type SimHandle, useSim, waitFor, writeConfig } from './helpers.js';

let sim: SimHandle;
useSim((s) => (sim = s));

const tenant = () => sim.world.tenantFor(sim.token)!;
const named = (prefix: string) => sim.world.listDeployments(tenant(), {}).filter((d) => d.name.startsWith(prefix));
const freshDb = () => join(mkdtempSync(join(tmpdir(), 'autodl-names-')), 'queue.db');
const MARKED = (name: string) => new RegExp(`^${name}-q[0-9a-hjkmnp-tv-z]{8}$`);

interface ErrorOut {
  status: string;
  error_type: string;
  message: string;
  details: Record<string, unknown>;
}

function cfg(name: string, o: Parameters<typeof deploymentConfig>[1] = {}): string {
  return writeConfig(`${name}.json`, deploymentConfig(name, o));
}

/** `autodl submit` of a fresh config into `db`: the result. */
async function submit(db: string, name: string, o: Parameters<typeof deploymentConfig>[1] = {}): Promise<{ deployment_uuid: string; entry_id: string; deployment_name: string }> {
  const r = await runCli(['submit', cfg(name, o), '--interval', '0.05', '--db', db, '--json'], { sim });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return json(r);
}

/** The NDJSON `resolved` line a command printed on stderr. */
function resolvedLine(stderr: string): Record<string, unknown> | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const v = JSON.parse(line) as Record<string, unknown>;
    if (v.type === 'resolved') return v;
  }
  return undefined;
}

describe('one name for a deployment: the resolver', () => {
  test('describe takes the name written, the marked name, a uuid prefix and the queue entry id; says which it took', async () => {
    const db = freshDb();
    const res = await submit(db, 'nm-train');
    assert.match(res.deployment_name, MARKED('nm-train'));
    const cases: Array<[string, string]> = [
      ['nm-train', 'marked_name'],
      [res.deployment_name, 'name'],
      [res.deployment_uuid.slice(0, 10), 'uuid_prefix'],
      [res.entry_id, 'queue_entry'],
    ];
    for (const [ref, by] of cases) {
      const r = await runCli(['describe', ref, '--events', '0', '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
      assert.equal(r.code, 0, `${ref}: ${r.stderr}`);
      assert.equal(json<{ deployment: { uuid: string } }>(r).deployment.uuid, res.deployment_uuid, ref);
      const said = resolvedLine(r.stderr);
      assert.ok(said, `${ref}: no resolved line in ${r.stderr}`);
      assert.equal(said.by, by, ref);
      assert.equal(said.uuid, res.deployment_uuid);
      assert.equal(said.name, res.deployment_name);
    }
    // by its uuid: nothing to say
    const plain = await runCli(['describe', res.deployment_uuid, '--events', '0', '--json'], { sim });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(resolvedLine(plain.stderr), undefined);
    // on a terminal-less stderr without --json: a plain line, in zh too
    const en = await runCli(['describe', 'nm-train', '--events', '0', '--no-json'], { sim });
    assert.match(en.stderr, new RegExp(`"nm-train" is deployment ${res.deployment_uuid} \\(${res.deployment_name}, by the name before its queue mark\\)`));
    const zh = await runCli(['describe', 'nm-train', '--events', '0', '--no-json', '--lang', 'zh'], { sim });
    assert.match(zh.stderr, new RegExp(`“nm-train”即部署 ${res.deployment_uuid}（${res.deployment_name}，按去掉队列标记的名称匹配）`));
  });

  test('a name two deployments answer to is an error listing both; the entry ids still pick one', async () => {
    const db = freshDb();
    const a = await submit(db, 'nm-twice');
    const b = await submit(db, 'nm-twice');
    assert.notEqual(a.deployment_uuid, b.deployment_uuid);
    const r = await runCli(['describe', 'nm-twice', '--json'], { sim });
    assert.equal(r.code, 3, r.stdout);
    const e = json<ErrorOut>(r);
    assert.equal(e.error_type, 'not_found');
    assert.deepEqual([...(e.details.candidates as string[])].sort(), [a.deployment_uuid, b.deployment_uuid].sort());
    const matches = e.details.matches as Array<{ uuid: string; name: string }>;
    assert.deepEqual(matches.map((m) => m.name).sort(), [a.deployment_name, b.deployment_name].sort());
    assert.match(e.message, new RegExp(a.deployment_uuid));
    assert.match(e.message, new RegExp(b.deployment_uuid));
    // stop with the ambiguous name sends nothing
    const stops = sim.stats.count('PUT', '/api/v1/dev/deployment/operate');
    const refused = await runCli(['stop', 'nm-twice', '--json'], { sim });
    assert.equal(refused.code, 3);
    assert.equal(json<ErrorOut>(refused).error_type, 'not_found');
    assert.equal(sim.stats.count('PUT', '/api/v1/dev/deployment/operate'), stops);
    // the queue entry id names one
    const s = await runCli(['stop', b.entry_id, '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
    assert.equal(s.code, 0, s.stderr);
    const out = json<{ deployment_uuid: string; resolved: { by: string; entry_id: string } }>(s);
    assert.equal(out.deployment_uuid, b.deployment_uuid);
    assert.equal(out.resolved.by, 'queue_entry');
    assert.equal(out.resolved.entry_id, b.entry_id);
    assert.equal(sim.world.listDeployments(tenant(), { deployment_uuid: b.deployment_uuid })[0]!.status, 'stopped');
    assert.notEqual(sim.world.listDeployments(tenant(), { deployment_uuid: a.deployment_uuid })[0]!.status, 'stopped');
  });

  test('scale, wait, cost, ttl, stop, delete by the name written', async () => {
    const db = freshDb();
    const res = await submit(db, 'nm-svc', { type: 'ReplicaSet', replicas: 1 });
    const env = { AUTODL_QUEUE_DB: db };
    const scale = await runCli(['scale', 'nm-svc', '2', '--json'], { sim, env });
    assert.equal(scale.code, 0, scale.stderr);
    assert.equal(json<{ deployment_uuid: string; replica_num: number }>(scale).deployment_uuid, res.deployment_uuid);
    assert.equal(sim.world.listDeployments(tenant(), { deployment_uuid: res.deployment_uuid })[0]!.replica_num, 2);
    const dry = await runCli(['stop', 'nm-svc', '--dry-run', '--json'], { sim, env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(json<{ body: Record<string, unknown> }>(dry).body, { deployment_uuid: res.deployment_uuid, operate: 'stop' });
    sim.world.advance(120_000);
    const wait = await runCli(['wait', 'nm-svc', '--for', 'running', '--timeout', '30', '--interval', '1', '--json'], { sim, env });
    assert.equal(wait.code, 0, wait.stderr);
    assert.equal(json<{ deployment_uuid: string }>(wait).deployment_uuid, res.deployment_uuid);
    assert.equal(resolvedLine(wait.stderr)?.by, 'marked_name');
    const cost = await runCli(['cost', 'nm-svc', '--json'], { sim, env });
    assert.equal(cost.code, 0, cost.stderr);
    assert.match(cost.stdout, new RegExp(res.deployment_uuid));
    const ttl = await runCli(['ttl', 'nm-svc', '2h', '--dry-run', '--json', '--db', db], { sim });
    assert.equal(ttl.code, 0, ttl.stderr);
    assert.equal(json<{ deployment_uuid: string }>(ttl).deployment_uuid, res.deployment_uuid);
    const stop = await runCli(['stop', 'nm-svc', '--json'], { sim, env });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(json<{ resolved: { by: string; name: string } }>(stop).resolved.name, res.deployment_name);
    const del = await runCli(['delete', 'nm-svc', '--json'], { sim, env });
    assert.equal(del.code, 0, del.stderr);
    assert.equal(json<{ deployment_uuid: string }>(del).deployment_uuid, res.deployment_uuid);
  });

  test('ssh takes a deployment (its name, entry id, uuid) when it has one container', async () => {
    const db = freshDb();
    const res = await submit(db, 'nm-ssh', { type: 'Container' });
    sim.world.advance(120_000);
    for (const ref of ['nm-ssh', res.entry_id, res.deployment_uuid]) {
      const r = await runCli(['ssh', ref, '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
      assert.equal(r.code, 0, `${ref}: ${r.stderr}`);
      const out = json<{ container_uuid?: string; command?: string; argv?: string[] }>(r);
      assert.match(JSON.stringify(out), /ssh/, ref);
    }
    const none = await runCli(['ssh', 'nm-no-such-thing', '--json'], { sim });
    assert.equal(none.code, 3);
    assert.equal(json<ErrorOut>(none).error_type, 'not_found');
  });

  test('a queue entry without a deployment says so; an unknown entry id is not_found', async () => {
    const db = freshDb();
    const add = await runCli(['queue', 'add', cfg('nm-pending'), '--db', db, '--json'], { sim });
    assert.equal(add.code, 0, add.stderr);
    const id = json<{ entries: Array<{ id: string }> }>(add).entries[0]!.id;
    const r = await runCli(['describe', id, '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
    assert.equal(r.code, 3);
    const e = json<ErrorOut>(r);
    assert.equal(e.error_type, 'not_found');
    assert.equal(e.details.entry_id, id);
    assert.equal(e.details.state, 'pending');
    assert.match(e.message, /has no deployment/);
  });
});

describe('one name for a deployment: what is sent', () => {
  test('submit --dry-run shows the marked name (tag as ########, the same length) and the rule; the real submit sends that shape', async () => {
    const path = cfg('nm-dry');
    const n = sim.requests();
    const r = await runCli(['submit', path, '--dry-run', '--json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ body: { name: string }; mark: { name: string; rule: string; length: number; limit: number } }>(r);
    assert.equal(out.body.name, 'nm-dry-q########');
    assert.equal(out.mark.name, out.body.name);
    assert.equal(out.mark.length, 'nm-dry-q########'.length);
    assert.equal(out.mark.limit, 64);
    assert.match(out.mark.rule, /<name>-q/);
    assert.equal(sim.requests(), n, 'nothing sent');
    const db = freshDb();
    const sent = await runCli(['submit', path, '--interval', '0.05', '--db', db, '--json'], { sim });
    assert.equal(sent.code, 0, sent.stderr);
    const res = json<{ entry_id: string; deployment_name: string }>(sent);
    assert.equal(res.deployment_name, `nm-dry-q${res.entry_id.slice(2)}`);
    assert.equal(res.deployment_name.length, out.mark.length);
    // apart from the tag, the body sent is the preview's, byte for byte
    const d = sim.world.listDeployments(tenant(), {}).find((x) => x.name === res.deployment_name);
    assert.ok(d, 'the deployment has the marked name');
    const human = await runCli(['submit', path, '--dry-run', '--no-json'], { sim });
    assert.match(human.stdout, /the name is sent marked: nm-dry-q######## \(16 of 64 characters/);
  });

  test('queue add --dry-run shows each body with its marked name', async () => {
    const db = freshDb();
    const path = writeConfig('nm-sw.json', { ...deploymentConfig('nm-sw-{{x}}'), sweep: { x: ['a', 'bb'] } });
    const r = await runCli(['queue', 'add', path, '--dry-run', '--db', db, '--json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const specs = json<Array<{ name: string; deployment_name: string; body: { name: string } }>>(r);
    assert.deepEqual(specs.map((s) => s.name), ['nm-sw-a', 'nm-sw-bb']);
    assert.deepEqual(specs.map((s) => s.body.name), ['nm-sw-a-q########', 'nm-sw-bb-q########']);
    assert.deepEqual(specs.map((s) => s.deployment_name), ['nm-sw-a-q########', 'nm-sw-bb-q########']);
  });

  test('a name too long once marked: config_error at validate, queue add and submit, with the limit and the marked length; 54 characters pass', async () => {
    const long = 'n'.repeat(60);
    const path = cfg(long);
    const n = sim.requests();
    const db = freshDb();
    for (const args of [['validate', path], ['queue', 'add', path, '--db', db], ['submit', path, '--db', db, '--interval', '0.05'], ['submit', path, '--dry-run']]) {
      const r = await runCli([...args, '--json'], { sim });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'config_error', args.join(' '));
      assert.equal(e.details.limit, 64);
      assert.equal(e.details.marked_length, 70);
      assert.match(e.message, /64/);
      assert.match(e.message, /70/);
    }
    assert.equal(sim.requests(), n, 'nothing was read or sent');
    const ls = await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim });
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal(json<{ count: number }>(ls).count, 0, 'nothing was added');
    const zh = await runCli(['validate', path, '--lang', 'zh', '--no-json'], { sim });
    assert.equal(zh.code, 1);
    assert.match(zh.stderr, /平台最多允许 64 个/);
    // a sweep whose expanded names grow too long is refused too
    const sw = writeConfig('nm-swl.json', { ...deploymentConfig(`${'s'.repeat(50)}-{{x}}`), sweep: { x: ['a', 'bbbbbb'] } });
    const swr = await runCli(['validate', sw, '--json'], { sim });
    assert.equal(swr.code, 1, swr.stdout);
    assert.equal(json<ErrorOut>(swr).details.name, `${'s'.repeat(50)}-bbbbbb`);
    const ok = await runCli(['validate', cfg('m'.repeat(54)), '--json'], { sim });
    assert.equal(ok.code, 0, ok.stdout);
    const over = await runCli(['validate', cfg('m'.repeat(55)), '--json'], { sim });
    assert.equal(over.code, 1);
    assert.equal(json<ErrorOut>(over).details.marked_length, 65);
  });

  test('the entry_id a Ctrl-C of submit prints is known to queue show', async () => {
    const db = freshDb();
    const took = sim.world.occupy('A800-80GB', 1000);
    try {
      const child = spawnCli(['submit', cfg('nm-int', { tpl: { gpu_name_set: ['A800-80GB'] } }), '--interval', '0.05', '--db', db, '--json'], { sim });
      const done = collect(child);
      await waitFor(child, 'stderr', '"type":"waiting"');
      child.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 130, r.stderr + r.stdout);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'interrupted');
      const id = String(e.details.entry_id);
      assert.match(id, /^q-/);
      const show = await runCli(['queue', 'show', id, '--db', db, '--json'], { sim });
      assert.equal(show.code, 0, show.stderr + show.stdout);
      const entry = json<{ entry: { id: string; state: string; deployment_name: string } }>(show).entry;
      assert.equal(entry.id, id);
      assert.equal(entry.state, 'cancelled');
      assert.equal(entry.deployment_name, `nm-int-q${id.slice(2)}`);
      // and with the default queue (no --db): the same
      const child2 = spawnCli(['submit', cfg('nm-int2', { tpl: { gpu_name_set: ['A800-80GB'] } }), '--interval', '0.05', '--json'], { sim });
      const done2 = collect(child2);
      await waitFor(child2, 'stderr', '"type":"waiting"');
      child2.kill('SIGINT');
      const r2 = await done2;
      const id2 = String(json<ErrorOut>(r2).details.entry_id);
      const show2 = await runCli(['queue', 'show', id2, '--json'], { sim });
      assert.equal(show2.code, 0, show2.stderr + show2.stdout);
    } finally {
      sim.world.free('A800-80GB', took);
    }
    assert.equal(named('nm-int').length, 0);
  });
});

describe('queue run --dry-run (issue 15 §5)', () => {
  test('what would be created now and why the others wait; no create sent, nothing claimed', async () => {
    const db = freshDb();
    const add = await runCli(['queue', 'add', cfg('nm-plan-a'), cfg('nm-plan-b'), '--db', db, '--json'], { sim });
    assert.equal(add.code, 0, add.stderr);
    const ids = json<{ entries: Array<{ id: string }> }>(add).entries.map((e) => e.id);
    const creates = sim.stats.count('POST', '/api/v1/dev/deployment');
    const r = await runCli(['queue', 'run', '--dry-run', '--max-gpus', '1', '--db', db, '--json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ dry_run: boolean; created: number; would_create: Array<{ id: string; deployment_name: string; gpu_name: string }>; would_wait: Array<{ id: string; reason: string }> }>(r);
    assert.equal(out.dry_run, true);
    assert.equal(out.created, 0);
    assert.deepEqual(out.would_create.map((c) => c.id), [ids[0]]);
    assert.equal(out.would_create[0]!.deployment_name, `nm-plan-a-q${ids[0]!.slice(2)}`);
    assert.equal(out.would_create[0]!.gpu_name, 'RTX 4090');
    assert.deepEqual(out.would_wait.map((w) => [w.id, w.reason]), [[ids[1], 'limit_gpus']]);
    assert.equal(sim.stats.count('POST', '/api/v1/dev/deployment'), creates, 'no create');
    const ls = await runCli(['queue', 'ls', '--db', db, '--json'], { sim });
    assert.deepEqual(json<{ counts: Record<string, number> }>(ls).counts, { pending: 2 }, 'nothing claimed or moved');
    // on a terminal-less stdout without --json, and in Chinese
    const en = await runCli(['queue', 'run', '--dry-run', '--max-gpus', '1', '--db', db, '--no-json'], { sim });
    assert.match(en.stdout, new RegExp(`would create ${ids[0]} \\(nm-plan-a-q${ids[0]!.slice(2)}\\) on RTX 4090`));
    assert.match(en.stdout, new RegExp(`${ids[1]} \\(nm-plan-b-q${ids[1]!.slice(2)}\\) waits: the queue is at --max-gpus`));
    const zh = await runCli(['queue', 'run', '--dry-run', '--max-gpus', '1', '--db', db, '--no-json', '--lang', 'zh'], { sim });
    assert.match(zh.stdout, /将在 RTX 4090 上创建/);
    assert.match(zh.stdout, /等待：队列已达 --max-gpus 上限/);
    // with every GPU taken: nothing would be created, each waits for stock
    const took = sim.world.occupy('RTX 4090', 10_000);
    try {
      const none = await runCli(['queue', 'run', '--dry-run', '--db', db, '--json'], { sim });
      const v = json<{ would_create: unknown[]; would_wait: Array<{ reason: string }> }>(none);
      assert.equal(v.would_create.length, 0);
      assert.deepEqual(v.would_wait.map((w) => w.reason), ['no_stock', 'no_stock']);
    } finally {
      sim.world.free('RTX 4090', took);
    }
  });
});

describe('ids printed are ids that work', () => {
  test('a human submit names the deployment and its entry; containers and events take them', async () => {
    const db = freshDb();
    const r = await runCli(['submit', cfg('nm-human'), '--interval', '0.05', '--db', db, '--no-json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const m = /named (nm-human-q[0-9a-z]{8}), queue entry (q-[0-9a-z]{8})/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const zh = await runCli(['submit', cfg('nm-human-zh'), '--interval', '0.05', '--db', db, '--no-json', '--lang', 'zh'], { sim });
    assert.match(zh.stdout, /名称 nm-human-zh-q[0-9a-z]{8}，队列条目 q-[0-9a-z]{8}/);
    sim.world.advance(60_000);
    for (const ref of [m[1]!, m[2]!, 'nm-human']) {
      const c = await runCli(['containers', ref, '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
      assert.equal(c.code, 0, `${ref}: ${c.stderr}`);
      assert.ok(json<unknown[]>(c).length >= 1, ref);
      const e = await runCli(['events', ref, '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
      assert.equal(e.code, 0, `${ref}: ${e.stderr}`);
    }
  });
});

describe('bulk forms take the same references (issue 15 §1 with §3)', () => {
  test('stop <entry id> <name written> --yes: both deployments stopped', async () => {
    const db = freshDb();
    const a = await submit(db, 'nm-bulk-a');
    const b = await submit(db, 'nm-bulk-b');
    const r = await runCli(['stop', a.entry_id, 'nm-bulk-b', '--yes', '--json'], { sim, env: { AUTODL_QUEUE_DB: db } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const uuid of [a.deployment_uuid, b.deployment_uuid]) {
      assert.equal(sim.world.listDeployments(tenant(), { deployment_uuid: uuid })[0]!.status, 'stopped', uuid);
      assert.match(r.stdout, new RegExp(uuid));
    }
  });
});
