// In Chinese, the headline `message` of errors raised by the library layers (spec, SDK,
// credentials) comes from the catalog; error_type, keys and details stay the same.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, json, runCli, startSim, tempHome, writeConfig, type SimHandle } from './helpers.js';

let sim: SimHandle;
before(async () => {
  ensureBuilt();
  sim = await startSim();
});
after(() => sim.close());

interface Err {
  status: string;
  error_type: string;
  message: string;
  details: Record<string, unknown>;
}

test('validation_error: same details in both languages, headline translated', async () => {
  const bad = writeConfig('bad.json', { name: 'x', deployment_type: 'Job', replica_num: 1, parallelism_num: 2, container_template: { gpu_name_set: [], gpu_num: 1, cuda_v: 118, image_uuid: 'image-x', cmd: 'sleep 1' } });
  const en = await runCli(['validate', bad, '--json', '--lang', 'en']);
  const zh = await runCli(['validate', bad, '--json', '--lang', 'zh']);
  assert.equal(en.code, 1);
  assert.equal(zh.code, 1);
  const e = json<Err>(en);
  const z = json<Err>(zh);
  assert.equal(z.error_type, 'validation_error');
  assert.deepEqual(z.details, e.details);
  assert.match(z.message, /^部署配置无效：共 2 个问题/);
  assert.doesNotMatch(e.message, /[\u4e00-\u9fff]/);
});

test('token_missing and api_error headlines in Chinese', async () => {
  const home = tempHome();
  try {
    const r = await runCli(['stock', '--json'], { home, env: { AUTODL_LANG: 'zh', AUTODL_HOST: sim.url } });
    assert.equal(r.code, 1); // token_missing exits 1, as in queue_submit.py
    const z = json<Err>(r);
    assert.equal(z.error_type, 'token_missing');
    assert.match(z.message, /^未找到 AutoDL 开发者Token/);
    assert.ok(Array.isArray(z.details.searched));
  } finally {
    home.cleanup();
  }
  sim.faults.add({ method: 'GET', path: '/api/v1/dev/machine/gpu_stock', kind: 'envelope_error', code: 'Failed', msg: '暂无库存', count: 10 });
  const r = await runCli(['stock', '--json', '--lang', 'zh'], { sim });
  sim.faults.clear();
  assert.equal(r.code, 3);
  const z = json<Err>(r);
  assert.equal(z.error_type, 'api_error');
  assert.match(z.message, /^AutoDL API 调用失败：/);
  assert.equal(z.details.msg, '暂无库存');
});
