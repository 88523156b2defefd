import assert from 'node:assert/strict';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { collectIssues, DEFAULT_HOST_SHAPES, endsInBackground, endsInSleepInfinity, lint, mixesAndOr, prepareSpec, usesCondaActivate, type LintContext } from '../../src/pipeline/index.js';
import { clone, expectErrorType, issuesOf, lineMatching, SEED_BODY, tmpFile } from './helpers.js';

const body = (patch: Partial<CreateDeploymentBody['container_template']> = {}, top: Partial<CreateDeploymentBody> = {}): CreateDeploymentBody => {
  const b = clone(SEED_BODY) as unknown as CreateDeploymentBody;
  Object.assign(b.container_template, patch);
  Object.assign(b, top);
  return b;
};
const codes = (b: CreateDeploymentBody, ctx?: LintContext) => lint(b, ctx).map((w) => w.code);
const cmdCodes = (cmd: string) => codes(body({ cmd }));

const SAFE = [
  'a ; b ; c',
  'a && b && c',
  'if test -f /data/x; then python run.py; else echo missing; fi',
  'nohup x & sleep infinity',
  'nohup python app.py > /root/log 2>&1 & sleep infinity',
  'cd /root && python app.py',
  'python app.py 2>&1 | tee log',
  'python app.py &> log',
  'echo "a && b || c"',
  "echo 'run it &'",
  'python a.py # && b || c',
  'sleep infinity',
  'python -c "import time; time.sleep(5)" & wait',
];

describe('lint: cmd', () => {
  it('safe commands raise no cmd warning', () => {
    for (const cmd of SAFE) assert.deepEqual(cmdCodes(cmd), [], cmd);
  });
  it('cmd_and_or_trap fires on && mixed with ||', () => {
    for (const cmd of ['ls /data && process || echo fallback', 'a || b && c', 'cd /x && (python y.py) || true']) {
      assert.ok(cmdCodes(cmd).includes('cmd_and_or_trap'), cmd);
      assert.ok(mixesAndOr(cmd), cmd);
    }
    assert.equal(mixesAndOr('a && b ; c || d'), false, 'separate lists do not mix');
    const w = lint(body({ cmd: 'a && b || c' })).find((x) => x.code === 'cmd_and_or_trap');
    assert.equal(w?.path, 'container_template.cmd');
  });
  it('cmd_background_only fires when the last command goes to the background', () => {
    for (const cmd of ['nohup python app.py &', 'cd /root && nohup python app.py > log 2>&1 &', 'python a.py & python b.py &', 'nohup x &  \n', 'x & # comment']) {
      assert.ok(cmdCodes(cmd).includes('cmd_background_only'), JSON.stringify(cmd));
      assert.ok(endsInBackground(cmd), cmd);
    }
    assert.equal(endsInBackground('a && b'), false);
    assert.equal(endsInBackground('x 2>&1'), false);
  });
  it('cmd_never_ends fires on a Job whose cmd ends in sleep infinity, not on a ReplicaSet', () => {
    for (const cmd of ['python train.py; sleep infinity', 'nohup x & sleep infinity', 'sleep inf', 'a && exec sleep infinity  ']) {
      assert.ok(codes(body({ cmd }, { deployment_type: 'Job', replica_num: 1, parallelism_num: 1 })).includes('cmd_never_ends'), cmd);
      assert.ok(endsInSleepInfinity(cmd), cmd);
      assert.equal(cmdCodes(cmd).includes('cmd_never_ends'), false, `ReplicaSet: ${cmd}`);
    }
    for (const cmd of ['sleep 20', 'echo "sleep infinity"', 'sleep infinity; python a.py', 'sleep infinity &']) assert.equal(endsInSleepInfinity(cmd), false, cmd);
  });
  it('cmd_and_or_trap names the deployment type', () => {
    assert.match(lint(body({ cmd: 'a && b || c' })).find((x) => x.code === 'cmd_and_or_trap')?.message ?? '', /this ReplicaSet's container/);
    const job = lint(body({ cmd: 'a && b || c' }, { deployment_type: 'Job', replica_num: 1, parallelism_num: 1 }));
    assert.match(job.find((x) => x.code === 'cmd_and_or_trap')?.message ?? '', /this Job's container/);
  });
  it('cmd_conda_activate fires on conda activate / source activate', () => {
    for (const cmd of ['conda activate myenv && python a.py', 'source activate py38 ; python a.py', 'cd /root; conda activate x; python t.py']) {
      assert.ok(cmdCodes(cmd).includes('cmd_conda_activate'), cmd);
    }
    assert.equal(usesCondaActivate('/root/miniconda3/envs/x/bin/python t.py'), false);
    assert.equal(usesCondaActivate('python deactivate.py'), false);
  });
});

describe('lint: resources, price, names', () => {
  it('memory_looks_like_bytes fires above 4096 GB (MB, perhaps), on the right field', () => {
    const w = lint(body({ memory_size_from: 1, memory_size_to: 256 * 1024 })).filter((x) => x.code === 'memory_looks_like_bytes');
    assert.equal(w.length, 1);
    assert.equal(w[0]?.path, 'container_template.memory_size_to');
    assert.match(w[0]?.message ?? '', /256 GB if it is MB/);
    assert.equal(codes(body({ memory_size_to: 4096 })).includes('memory_looks_like_bytes'), false);
  });
  it('memory in bytes is a validation error, not a warning (certain: a GiB written in bytes)', () => {
    const b = body({ memory_size_from: 1, memory_size_to: 256 * 1024 ** 3 });
    assert.equal(codes(b).includes('memory_looks_like_bytes'), false);
    const issues = collectIssues(b, 'private');
    const e = issues.find((i) => i.path === 'container_template.memory_size_to');
    assert.match(e?.message ?? '', /bytes, not GB.*256 GB/);
    assert.equal(collectIssues(body({ memory_size_to: 1024 ** 3 - 1 }), 'private').length, 0, 'below a GiB in bytes it may be MB: a warning only');
  });
  it('more GPUs than any host type has is a validation error; more than the models have, a warning', () => {
    const issues = collectIssues(body({ gpu_num: 16 }), 'private');
    assert.match(issues.find((i) => i.path === 'container_template.gpu_num')?.message ?? '', /no host type has more than 8 GPUs/);
    assert.equal(codes(body({ gpu_num: 16 })).includes('floor_unsatisfiable'), false, 'the error says it: no warning besides');
    assert.equal(collectIssues(body({ gpu_num: 8 }), 'private').length, 0);
    const shapes = [{ gpu_name: 'RTX 4090', max_gpus: 4, cpu_per_gpu: 16, memory_gb_per_gpu: 60 }, { gpu_name: 'X', max_gpus: 10, cpu_per_gpu: 16, memory_gb_per_gpu: 60 }];
    assert.ok(codes(body({ gpu_name_set: ['RTX 4090'], gpu_num: 6 }), { hostShapes: shapes }).includes('floor_unsatisfiable'), 'no 6-GPU 4090 host: a warning');
    assert.equal(collectIssues(body({ gpu_num: 10 }), 'private', undefined, [], { hostShapes: shapes }).length, 0, 'a 10-GPU host type exists');
  });
  it('floor_unsatisfiable fires when no host of the requested models meets a floor', () => {
    assert.ok(codes(body({ gpu_name_set: ['RTX 4090 D'], memory_size_from: 16 })).includes('floor_unsatisfiable'));
    assert.equal(codes(body({ gpu_name_set: ['RTX 4090 D'], memory_size_from: 8 })).includes('floor_unsatisfiable'), false);
    assert.ok(codes(body({ cpu_num_from: 64 })).includes('floor_unsatisfiable'), '64 cores on one 4090 unit');
    assert.equal(codes(body({ cpu_num_from: 64, gpu_num: 4 })).includes('floor_unsatisfiable'), false, '4 units give 64 cores');
    // one model that fits is enough
    assert.equal(codes(body({ gpu_name_set: ['RTX 4090 D', 'RTX 3090'], memory_size_from: 80 })).includes('floor_unsatisfiable'), false);
    // an unknown model might fit: no warning
    assert.equal(codes(body({ gpu_name_set: ['Mystery GPU'], memory_size_from: 5000 })).includes('floor_unsatisfiable'), false);
    // cloud-specific spelling is recognised
    assert.ok(codes(body({ gpu_name_set: ['NVIDIA GeForce RTX 4090'], cpu_num_from: 64 })).includes('floor_unsatisfiable'));
  });
  it('host shapes from the context override the built-in guess', () => {
    const ctx: LintContext = { hostShapes: [{ gpu_name: 'RTX 4090', cpu_per_gpu: 8, memory_gb_per_gpu: 32, max_gpus: 4 }] };
    const w = lint(body({ memory_size_from: 40 }), ctx).find((x) => x.code === 'floor_unsatisfiable');
    assert.equal(w?.path, 'container_template.memory_size_from');
    assert.equal(codes(body({ memory_size_from: 40 })).includes('floor_unsatisfiable'), false, 'the default 4090 shapes give 60+ GB');
    assert.ok(DEFAULT_HOST_SHAPES.some((s) => s.gpu_name === 'RTX 4090'));
  });
  it('ceiling_unsatisfiable fires when every host gives more than the ceiling', () => {
    assert.ok(codes(body({ cpu_num_from: 1, cpu_num_to: 4 })).includes('ceiling_unsatisfiable'));
    assert.equal(codes(body()).includes('ceiling_unsatisfiable'), false);
  });
  it('price_below_all fires when price_to is below every price seen', () => {
    assert.ok(codes(body({ price_to: 900 }), { pricesSeen: [1000, 1980] }).includes('price_below_all'));
    assert.equal(codes(body({ price_to: 1000 }), { pricesSeen: [1000, 1980] }).includes('price_below_all'), false);
    assert.equal(codes(body({ price_to: 900 })).includes('price_below_all'), false, 'no prices seen: no opinion');
  });
  it('name_in_use fires for a live name only', () => {
    assert.ok(codes(body(), { liveNames: ['other', 'my-deployment'] }).includes('name_in_use'));
    assert.equal(codes(body(), { liveNames: ['other'] }).includes('name_in_use'), false);
  });
  it('the original skill body raises no warning', () => {
    assert.deepEqual(lint(clone(SEED_BODY) as unknown as CreateDeploymentBody), []);
  });
});

describe('lint through prepareSpec', () => {
  it('warnings carry lines; strict turns them into validation errors', () => {
    const b = clone(SEED_BODY) as unknown as CreateDeploymentBody;
    b.container_template.cmd = 'nohup python app.py &';
    const text = stringify(b);
    const file = tmpFile('bg.yaml', text);
    const r = prepareSpec(file, { dialect: 'private' });
    const w = r.warnings.find((x) => x.code === 'cmd_background_only');
    assert.equal(w?.line, lineMatching(text, /^\s*cmd:/));
    const e = expectErrorType(() => prepareSpec(file, { dialect: 'private', strict: true }), 'validation_error');
    const issue = issuesOf(e).find((i) => i.code === 'cmd_background_only');
    assert.equal(issue?.path, 'container_template.cmd');
    assert.equal(issue?.line, w?.line);
  });
  it('context reaches lint', () => {
    const r = prepareSpec(clone(SEED_BODY), { dialect: 'private', context: { liveNames: ['my-deployment'] } });
    assert.deepEqual(r.warnings.map((x) => x.code), ['name_in_use']);
  });
});
