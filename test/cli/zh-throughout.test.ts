// Issue 15 §2, end to end with the real CLI against the simulator: in Chinese, what a person
// reads — validation problems, lint warnings, commander's parse errors, the tables and views
// of ls, stock, describe, cost, queue ls, queue show — is Chinese; JSON keys, error_type and
// details stay exactly as in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { englishIn } from './english.js';
import { deploymentConfig, json, runCli, useSim, writeConfig, type SimHandle } from './helpers.js';

let sim: SimHandle;
useSim((s) => (sim = s));

const ZH = { env: { AUTODL_LANG: 'zh' } };
const CJK = /[\u4e00-\u9fff]/;

interface Err {
  error_type: string;
  message: string;
  details: Record<string, unknown> & { errors?: Array<{ path: string; message: string }> };
}

/** The English a person would read in `text`, once our file paths are out of the way. */
const englishOf = (text: string, ...paths: string[]) => englishIn(paths.reduce((s, p) => s.split(p).join(' '), text));

test('validation problems: every problem in Chinese on a terminal; details unchanged in JSON', async () => {
  const bad = writeConfig('bad.yaml', 'name: x\ndeployment_type: Job\nreplica_num: 1\nparallelism_num: 2\nreplicas: 3\ncontainer_template:\n  gpu_name_set: []\n  gpu_num: 0\n  cuda_v: 118\n  price_to: 0.5\n  image_uuid: image-x\n  cmd: sleep 1\n');
  const zh = await runCli(['validate', bad, '--no-json', '--lang', 'zh']);
  assert.equal(zh.code, 1);
  assert.match(zh.stderr, /未知字段 "replicas"（是不是 "replica_num"？）/);
  assert.match(zh.stderr, /至少要列出一个 GPU型号/);
  assert.match(zh.stderr, /parallelism_num（2）大于 replica_num（1）/);
  assert.match(zh.stderr, /0\.5 看起来是以元为单位/);
  assert.match(zh.stderr, /（第 5 行）/);
  assert.deepEqual(englishOf(zh.stderr, bad), []);

  const en = await runCli(['validate', bad, '--no-json', '--lang', 'en']);
  assert.match(en.stderr, /unknown field "replicas" \(did you mean "replica_num"\?\)/);
  assert.match(en.stderr, /\(line 5\)/);
  assert.doesNotMatch(en.stderr, CJK);

  const zj = json<Err>(await runCli(['validate', bad, '--json', '--lang', 'zh']));
  const ej = json<Err>(await runCli(['validate', bad, '--json', '--lang', 'en']));
  assert.equal(zj.error_type, 'validation_error');
  assert.deepEqual(zj.details, ej.details); // the problems themselves stay in English, byte for byte
  assert.ok((ej.details.errors ?? []).length >= 5);
  assert.match(zj.message, /^部署配置无效：共 \d+ 个问题（第一个：/);
});

test('lint warnings in Chinese on a terminal; the NDJSON warning keeps its English message and code', async () => {
  const cfg = writeConfig('warn.json', deploymentConfig('zh-warn', { tpl: { cmd: 'a && b || c', memory_size_from: 65536, memory_size_to: 131072 } }));
  const zh = await runCli(['validate', cfg, '--no-json', '--lang', 'zh']);
  assert.equal(zh.code, 0, zh.stderr);
  assert.match(zh.stderr, /警告: container_template\.cmd, 第 \d+ 行: cmd 混用了 && 和 \|\|/);
  assert.match(zh.stderr, /内存以 GB 为单位，这个值看起来是字节或 MB（若是 MB 则为 64 GB）/);
  assert.deepEqual(englishOf(zh.stderr, cfg), []);
  const lines = (await runCli(['validate', cfg, '--json', '--lang', 'zh'])).stderr.trim().split('\n').map((l) => JSON.parse(l) as { code: string; message: string });
  const en = (await runCli(['validate', cfg, '--json', '--lang', 'en'])).stderr.trim().split('\n').map((l) => JSON.parse(l) as { code: string; message: string });
  assert.deepEqual(lines, en);
  assert.ok(lines.some((w) => w.code === 'cmd_and_or_trap' && /^cmd mixes && with \|\|/.test(w.message)));
});

test("commander's parse errors in Chinese; error_type and details as in English", async () => {
  const cases: Array<[string[], RegExp]> = [
    [['stock', '--bogus'], /未知选项“--bogus”/],
    [['stock', '--gp'], /未知选项“--gp”\n（是不是要用 --gpu？）/],
    [['stok'], /未知命令“stok”\n（是不是要用其中之一：stock, stop？）/],
    [['describe'], /缺少必需的参数“deployment”/],
    [['validate', 'a.yaml', 'b.yaml'], /“validate”的参数过多：应为 1 个，实际 2 个/],
    [['queue', 'ls', '--state'], /选项“--state <state...>”缺少取值/],
    [['--dialect', 'foo', 'stock'], /选项“--dialect <dialect>”的取值“foo”无效。可选值为 private, public。/],
  ];
  for (const [args, re] of cases) {
    const zh = await runCli([...args, '--no-json'], ZH);
    assert.equal(zh.code, 1, args.join(' '));
    assert.match(zh.stderr, re, args.join(' '));
    // (the suggested commands and the choices are names: code)
    assert.deepEqual(englishIn(zh.stderr.replace(/commander\.\w+|stock, stop|private, public/g, ' ')), [], `${args.join(' ')}: ${zh.stderr}`);
    const zj = json<Err>(await runCli([...args, '--json'], ZH));
    const ej = json<Err>(await runCli([...args, '--json'], { env: { AUTODL_LANG: 'en' } }));
    assert.equal(zj.error_type, 'config_error');
    assert.deepEqual(zj.details, ej.details, args.join(' '));
    assert.match(ej.message, /^invalid command line: /);
  }
});

test('tables and views in Chinese: ls, stock, describe, cost, queue ls, queue show', async () => {
  const name = 'zh-tables';
  const created = await runCli(['create', writeConfig('t.json', deploymentConfig(name)), '--json'], { sim });
  assert.equal(created.code, 0, created.stderr);
  const db = join(mkdtempSync(join(tmpdir(), 'autodl-zh-q-')), 'q.db');
  const added = json<{ entries: Array<{ id: string }> }>(await runCli(['queue', 'add', writeConfig('q.json', deploymentConfig('zh-queued')), '--db', db, '--json'], { sim }));
  const id = added.entries[0]!.id;
  const views: Array<[string[], RegExp]> = [
    [['ls'], /名称\s+类型\s+状态/],
    [['stock'], /空闲\s+总数/],
    [['describe', name], /复用容器/],
    [['cost'], /已花费/],
    [['queue', 'ls', '--db', db], /名称\s+状态\s+优先级/],
    [['queue', 'show', id, '--db', db], /部署名称[\s\S]*历史[\s\S]*时间\s+从\s+到\s+说明/],
  ];
  for (const [args, re] of views) {
    const r = await runCli([...args, '--no-json'], { sim, env: { AUTODL_LANG: 'zh' } });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, re, args.join(' '));
    // headers and field names: no Latin word but the platform's own (UUID, GPU, CPU, CUDA, ID)
    const labels = r.stdout.split('\n').filter((l) => !/\d/.test(l) || /^\S+\s{2,}/.test(l)).map((l) => l.split(/\s{2,}/)[0] ?? '');
    for (const l of labels) assert.doesNotMatch(l, /\b(NAME|TYPE|STATUS|STATE|PRIO|TRIES|name|type|status|state|replicas|image|memory|price|created|attempts|label)\b/, `${args.join(' ')}: ${l}`);
    const en = await runCli([...args, '--no-json'], { sim, env: { AUTODL_LANG: 'en' } });
    assert.doesNotMatch(en.stdout, CJK, args.join(' '));
  }
});

test('config files that cannot be read: the reason in Chinese; English and details as before', async () => {
  const badJson = writeConfig('b.json', '{"name":');
  const list = writeConfig('l.yaml', '- 1\n');
  const cases: Array<[string, RegExp, RegExp]> = [
    ['/nonexistent/zh.yaml', /找不到配置文件：\/nonexistent\/zh\.yaml/, /config file not found: \/nonexistent\/zh\.yaml/],
    [badJson, /JSON 格式错误（.*）：第 1 行第 9 列：意外到达文件末尾/, /invalid JSON in .* at line 1, column 9: unexpected end of input/],
    [list, /的顶层必须是对象（字段的映射），实际是列表/, /must be an object \(a mapping of fields\) at the top level, got a list/],
  ];
  for (const [file, zhRe, enRe] of cases) {
    const zh = await runCli(['validate', file, '--no-json', '--lang', 'zh']);
    assert.equal(zh.code, 1);
    assert.match(zh.stderr, zhRe);
    assert.deepEqual(englishOf(zh.stderr, file), [], zh.stderr);
    const zj = json<Err>(await runCli(['validate', file, '--json', '--lang', 'zh']));
    const ej = json<Err>(await runCli(['validate', file, '--json', '--lang', 'en']));
    assert.equal(zj.error_type, 'config_error');
    assert.deepEqual(zj.details, ej.details);
    assert.match(ej.message, enRe);
  }
});

test('why a wait cannot end, in Chinese (the JSON reason stays English)', async () => {
  const created = json<{ deployment_uuid?: string; uuid?: string }>(await runCli(['create', writeConfig('rs.json', deploymentConfig('zh-rs', { type: 'ReplicaSet' })), '--json'], { sim }));
  const uuid = created.deployment_uuid ?? created.uuid;
  assert.ok(uuid, JSON.stringify(created));
  const zh = await runCli(['wait', uuid, '--for', 'finished', '--timeout', '5', '--no-json'], { sim, env: { AUTODL_LANG: 'zh' } });
  assert.equal(zh.code, 3, zh.stderr);
  assert.match(zh.stderr, /ReplicaSet 永远不会“完成”/);
  const ej = json<Err>(await runCli(['wait', uuid, '--for', 'finished', '--timeout', '5', '--json'], { sim, env: { AUTODL_LANG: 'en' } }));
  const zj = json<Err>(await runCli(['wait', uuid, '--for', 'finished', '--timeout', '5', '--json'], { sim, env: { AUTODL_LANG: 'zh' } }));
  assert.equal(ej.details.reason, 'a ReplicaSet never finishes');
  assert.equal(zj.details.reason, ej.details.reason);
});
