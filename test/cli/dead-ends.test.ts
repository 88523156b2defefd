// Issue 15 §4, "no dead ends": the real CLI (dist/autodl.cjs) against the simulator on loopback.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, deploymentConfig, json, ROOT, runCli, type SimHandle, spawnCli, startSim, tempHome, useSim, waitFor, writeConfig } from './helpers.js';

let sim: SimHandle;
useSim((s) => (sim = s));

interface Issue {
  path: string;
  message: string;
  code?: string;
  line?: number;
}
interface ErrorResult {
  status: string;
  error_type: string;
  message: string;
  details: { errors?: Issue[]; warnings?: Issue[]; path?: string; host?: string; source?: string };
}

const BAD_YAML = [
  'name: cannot-run',
  'deployment_type: Job',
  'replica_num: 1',
  'parallelism_num: 1',
  'container_template:',
  '  gpu_name_set: [RTX 4090]',
  '  gpu_num: 12',
  '  cuda_v: 118',
  '  memory_size_from: 8589934592',
  '  image_uuid: image-6b5ad2b1ce',
  '  cmd: "python a.py && echo ok || echo failed; sleep infinity"',
  '',
].join('\n');

describe('configs that cannot run (§4.1)', () => {
  test('validate - reads stdin; certain problems are errors, the others warnings, all shown at once', async () => {
    const r = await runCli(['validate', '-', '--json'], { input: BAD_YAML });
    assert.equal(r.code, 1, r.stderr);
    const res = json<ErrorResult>(r);
    assert.equal(res.error_type, 'validation_error');
    assert.equal(res.details.path, '<stdin>');
    const errors = res.details.errors ?? [];
    assert.deepEqual(errors.map((e) => e.path).sort(), ['container_template.gpu_num', 'container_template.memory_size_from']);
    assert.match(errors.find((e) => e.path.endsWith('gpu_num'))!.message, /no host type has more than 8 GPUs/);
    assert.match(errors.find((e) => e.path.endsWith('memory_size_from'))!.message, /bytes, not GB.*8 GB/);
    assert.equal(errors.find((e) => e.path.endsWith('gpu_num'))!.line, 7, 'lines come from the text read on stdin');
    const warnings = res.details.warnings ?? [];
    const codes = warnings.map((w) => w.code);
    assert.ok(codes.includes('cmd_never_ends'), JSON.stringify(warnings));
    assert.ok(codes.includes('cmd_and_or_trap'), JSON.stringify(warnings));
    assert.match(warnings.find((w) => w.code === 'cmd_and_or_trap')!.message, /this Job's container/);
    assert.equal(codes.includes('floor_unsatisfiable'), false, 'the bytes error is not repeated as a floor warning');
  });

  test('on a terminal-less human run the warnings are listed under the errors', async () => {
    const r = await runCli(['validate', '-', '--no-json'], { input: BAD_YAML });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /errors:[\s\S]*gpu_num[\s\S]*warnings:[\s\S]*sleep infinity/);
    assert.doesNotMatch(r.stderr, /at .*\.cjs:\d+/, 'no stack trace');
  });

  test('a valid Job ending in sleep infinity validates, with a warning; a ReplicaSet does not get one', async () => {
    const job = writeConfig('job.json', deploymentConfig('forever-job', { type: 'Job' }));
    const r = await runCli(['validate', job, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const res = json<{ warnings: Issue[] }>(r);
    assert.deepEqual(res.warnings.map((w) => w.code), ['cmd_never_ends']);
    const rs = writeConfig('rs.json', deploymentConfig('forever-rs', { type: 'ReplicaSet' }));
    const r2 = await runCli(['validate', rs, '--json']);
    assert.equal(r2.code, 0, r2.stdout + r2.stderr);
    assert.deepEqual(json<{ warnings: Issue[] }>(r2).warnings, []);
  });

  test('the public example validates in the public dialect; without dc_list the error lists the data centres', async () => {
    const example = join(ROOT, 'examples', 'public-job.yaml');
    const ok = await runCli(['validate', example, '--dialect', 'public', '--json']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const text = readFileSync(example, 'utf8').replace(/^ {2}dc_list:.*\n/m, '');
    const r = await runCli(['validate', '-', '--dialect', 'public', '--json'], { input: text });
    assert.equal(r.code, 1, r.stdout);
    const dc = json<ErrorResult>(r).details.errors?.find((e) => e.path === 'container_template.dc_list');
    assert.ok(dc, r.stdout);
    for (const id of ['westDC2', 'beijingDC1', 'neimengDC3', 'chongqingDC1']) assert.ok(dc.message.includes(id), dc.message);
  });

  test('--host without a scheme is a config_error that says how to write it, before any request', async () => {
    const before = sim.requests();
    const bare = sim.url.replace(/^http:\/\//, '');
    const r = await runCli(['stock', '--host', bare, '--json'], { sim });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const res = json<ErrorResult>(r);
    assert.equal(res.error_type, 'config_error');
    assert.equal(res.details.source, '--host');
    assert.match(res.message, /is not a URL: write the scheme, e\.g\. https:\/\//);
    assert.equal(sim.requests(), before, 'nothing was sent');
    const env = await runCli(['stock', '--json'], { sim, env: { AUTODL_HOST: bare } });
    assert.equal(json<ErrorResult>(env).details.source, 'AUTODL_HOST');
    const zh = await runCli(['stock', '--host', bare, '--no-json', '--lang', 'zh'], { sim });
    assert.match(zh.stderr, /不是 URL：请写上协议/);
    const good = await runCli(['stock', '--json'], { sim });
    assert.equal(good.code, 0, good.stderr);
  });
});

describe('a submit that times out while creates are refused (§4.2)', () => {
  test('the timeout says why the platform refused the creates (not "no GPU became free")', async () => {
    const path = '/api/v1/dev/deployment';
    const creates = sim.stats.count('POST', path);
    // refused twice (fewer than the three in a row of a submission_error), then the time is up
    sim.faults.add({ method: 'POST', path, kind: 'envelope_error', count: 10, code: 'GpuStockReqNum', msg: '超出GPU配额' });
    try {
      const cfg = writeConfig('refused.json', deploymentConfig('refused-run', { type: 'Job', tpl: { cmd: 'sleep 5' } }));
      const r = await runCli(['submit', cfg, '--interval', '2', '--timeout', '1', '--json'], { sim });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const e = json<ErrorResult & { details: Record<string, unknown> }>(r);
      assert.equal(e.error_type, 'timeout');
      assert.doesNotMatch(e.message, /no GPU became free/);
      assert.match(e.message, /the platform refused 2 create\(s\), last with: 超出GPU配额 \(code GpuStockReqNum\)/);
      assert.equal(e.details.refused_creates, 2);
      assert.deepEqual(e.details.platform_reason, { kind: 'quota', code: 'GpuStockReqNum', msg: '超出GPU配额' });
      assert.match(String(e.details.reason_hint), /quota/);
      assert.match(JSON.stringify(e.details.api_response), /GpuStockReqNum/);
      assert.equal(sim.stats.count('POST', path) - creates, 2);
      const zh = await runCli(['submit', cfg, '--interval', '2', '--timeout', '1', '--no-json', '--lang', 'zh'], { sim });
      assert.equal(zh.code, 2);
      assert.match(zh.stderr, /平台拒绝了 2 次创建，最后一次的原因：超出GPU配额 \(code GpuStockReqNum\)/);
    } finally {
      sim.faults.clear();
    }
  });
});

describe('one duration syntax, one time zone (§4.3)', () => {
  test('intervals and timeouts take 30, 90s, 10m, 1h, 2d; a bad one names the syntax', async () => {
    const cfg = writeConfig('dur.json', deploymentConfig('dur-run', { type: 'Job', tpl: { cmd: 'sleep 5' } }));
    for (const [interval, timeout] of [['30', '90s'], ['10m', '1h'], ['0.5', '2d'], ['1h30m', '0']]) {
      const r = await runCli(['submit', cfg, '--dry-run', '--interval', interval!, '--timeout', timeout!, '--json'], { sim });
      assert.equal(r.code, 0, `${interval} ${timeout}: ${r.stdout}${r.stderr}`);
    }
    const bad = await runCli(['submit', cfg, '--dry-run', '--interval', '10 minutes', '--json'], { sim });
    assert.equal(bad.code, 1);
    const e = json<ErrorResult>(bad);
    assert.equal(e.error_type, 'config_error');
    assert.match(e.message, /"?10 minutes"? is not a duration: write seconds \(30\) or a number with a unit \(90s, 10m, 1h, 2d\)/);
    const tooLong = await runCli(['wait', 'x', '--interval', '2d', '--json'], { sim });
    assert.equal(json<ErrorResult>(tooLong).error_type, 'config_error', 'an interval is at most a day');
    const since = await runCli(['cost', '--since', '2d', '--json'], { sim });
    assert.equal(since.code, 0, since.stderr);
  });

  test('times print in the platform zone (+08:00, 24-hour clock), or in UTC with --utc', async () => {
    const cfg = writeConfig('tz.json', deploymentConfig('tz-run', { type: 'ReplicaSet', replicas: 1 }));
    const created = await runCli(['create', cfg, '--json'], { sim });
    assert.equal(created.code, 0, created.stderr + created.stdout);
    const uuid = json<{ deployment_uuid: string }>(created).deployment_uuid;
    const listed = json<{ created_at: string }>(await runCli(['describe', uuid, '--json'], { sim })) as unknown as { deployment: { created_at: string } };
    const at = Date.parse(listed.deployment.created_at);
    assert.ok(Number.isFinite(at), listed.deployment.created_at);
    const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const cst = fmt(at + 8 * 3600_000);
    const utc = fmt(at);
    const human = await runCli(['describe', uuid, '--no-json'], { sim });
    assert.equal(human.code, 0, human.stderr);
    assert.ok(human.stdout.includes(cst), `${cst} in\n${human.stdout}`);
    const inUtc = await runCli(['describe', uuid, '--no-json', '--utc'], { sim });
    assert.ok(inUtc.stdout.includes(utc), `${utc} in\n${inUtc.stdout}`);
    assert.ok(!inUtc.stdout.includes(cst));
    const table = await runCli(['deployments', '--no-json'], { sim });
    assert.ok(table.stdout.includes(cst), table.stdout);
    assert.doesNotMatch(table.stdout + human.stdout, /\b(AM|PM)\b/);
    await runCli(['delete', uuid, '--json'], { sim });
  });
});

describe('filters that cannot match, groups without a sub-command, Ctrl-C of a worker (§4.4)', () => {
  test('--status runing and --gpu 4090 are config_errors naming the near matches and the valid values', async () => {
    const before = sim.requests();
    const typo = await runCli(['ls', '--status', 'runing', '--json'], { sim });
    assert.equal(typo.code, 1);
    const e = json<ErrorResult & { details: { near: string[]; valid: string[] } }>(typo);
    assert.equal(e.error_type, 'config_error');
    assert.deepEqual(e.details.near, ['running']);
    assert.match(e.message, /--status "runing" matches nothing: did you mean running\?/);
    assert.equal(sim.requests(), before, 'a typo of a known status is refused before any request');
    const far = await runCli(['ls', '--status', 'zzz', '--json'], { sim });
    assert.equal(json<ErrorResult>(far).error_type, 'config_error', 'an unknown status that lists nothing');
    const fine = await runCli(['ls', '--status', 'stopped', '--json'], { sim });
    assert.equal(fine.code, 0, 'a known status that lists nothing is an empty list');

    const gpu = await runCli(['stock', '--gpu', '4090', '--json'], { sim });
    assert.equal(gpu.code, 1);
    const g = json<ErrorResult & { details: { near: string[]; valid: string[] } }>(gpu);
    assert.ok(g.details.near.includes('RTX 4090') && g.details.near.includes('NVIDIA GeForce RTX 4090'), JSON.stringify(g.details));
    assert.ok(g.details.valid.includes('L20'));
    const zh = await runCli(['stock', '--gpu', '4090', '--no-json', '--lang', 'zh'], { sim });
    assert.match(zh.stderr, /不会匹配任何结果：是不是要写 RTX 4090/);
    const ok = await runCli(['stock', '--gpu', 'RTX 4090', '--json'], { sim });
    assert.deepEqual(Object.keys(json(ok)), ['RTX 4090']);

    const cfg = writeConfig('flt.json', deploymentConfig('flt-run', { type: 'ReplicaSet', replicas: 1 }));
    const uuid = json<{ deployment_uuid: string }>(await runCli(['create', cfg, '--json'], { sim })).deployment_uuid;
    const cs = await runCli(['containers', uuid, '--status', 'runnin', '--json'], { sim });
    assert.deepEqual(json<{ details: { near: string[] } }>(cs).details.near, ['running']);
    const cg = await runCli(['containers', uuid, '--gpu', 'rtx4090', '--json'], { sim });
    assert.equal(json<ErrorResult>(cg).error_type, 'config_error');
    const cgOk = await runCli(['containers', uuid, '--gpu', 'L20', '--json'], { sim });
    assert.deepEqual(json(cgOk), [], 'a real GPU name with no container is an empty list');
    await runCli(['delete', uuid, '--json'], { sim });
  });

  test('autodl queue / autodl skill alone print their help on stdout, exit 0; a wrong sub-command suggests a real one', async () => {
    for (const group of ['queue', 'skill']) {
      const r = await runCli([group], {});
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: autodl ${group}`));
      assert.equal(r.stderr, '');
    }
    const wrong = await runCli(['queue', 'lss', '--json'], {});
    assert.equal(wrong.code, 1);
    assert.match(json<ErrorResult>(wrong).message, /unknown command 'lss'[\s\S]*Did you mean ls\?/);
  });

  test('Ctrl-C of an idle queue run is a normal stop: exit 0, the summary, no error', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'autodl-ends-q-')), 'queue.db');
    // an entry no host can place (8 × A40; the largest A40 host has 6): the worker waits, polling the stock
    const cfg = writeConfig('idle.json', deploymentConfig('idle-run', { type: 'Job', tpl: { gpu_name_set: ['NVIDIA A40'], gpu_num: 8, cmd: 'sleep 5' } }));
    const added = await runCli(['queue', 'add', cfg, '--db', db, '--json'], { sim });
    assert.equal(added.code, 0, added.stderr + added.stdout);
    // --verbose logs the worker's requests: the first stock call says the worker (and its Ctrl-C handler) is up
    const child = spawnCli(['queue', 'run', '--interval', '0.05', '--db', db, '--no-json', '--verbose'], { sim });
    const done = collect(child);
    await waitFor(child, 'stderr', /gpu_stock/);
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /worker stopped \(Ctrl-C\).*0 created.*1 pending/);
    assert.doesNotMatch(r.stderr, /Error|\[interrupted\]/);
  });
});

describe('a finished Job reads as finished; cost keeps deleted deployments (§4.5)', () => {
  test('ls, describe and watch say finished (not a green running with a price); ended containers show no price', async () => {
    const cfg = writeConfig('fin.json', deploymentConfig('fin-job', { type: 'Job', replicas: 1, tpl: { cmd: 'sleep 5' } }));
    const uuid = json<{ deployment_uuid: string }>(await runCli(['create', cfg, '--json'], { sim })).deployment_uuid;
    sim.world.advance(120_000);
    const d = json<{ deployment: { status: string; finished_num: number }; phase: string }>(await runCli(['describe', uuid, '--json'], { sim }));
    assert.equal(d.deployment.status, 'running', 'the platform still says running (recorded)');
    assert.equal(d.deployment.finished_num, 1);
    assert.equal(d.phase, 'finished');
    const row = (out: string) => out.split('\n').find((l) => l.includes(uuid)) ?? '';
    const ls = await runCli(['ls', '--no-json'], { sim });
    assert.match(row(ls.stdout), /\bfinished\b/);
    assert.doesNotMatch(row(ls.stdout), /\brunning\b/);
    const human = await runCli(['describe', uuid, '--no-json'], { sim });
    assert.match(human.stdout, /status\s+finished \(the platform says running/);
    assert.match(human.stdout, /price estimate \(¥\/h\)\s+-/);
    const watched = await runCli(['watch', '--count', '1', '--no-events', '--no-json'], { sim });
    assert.equal(watched.code, 0, watched.stderr);
    const w = row(watched.stdout);
    assert.match(w, /\bfinished\b/);
    assert.match(w, /\s-\s*$/, `no price for a finished Job: ${w}`);
    const cost = json<{ deployments: Array<{ uuid: string; burn_rate_yuan_per_hour: number }> }>(await runCli(['cost', uuid, '--json'], { sim }));
    assert.equal(cost.deployments[0]!.burn_rate_yuan_per_hour, 0);
    await runCli(['delete', uuid, '--json'], { sim });
  });

  test('cost still counts a deployment deleted since, from the local queue database', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'autodl-ends-cost-')), 'queue.db');
    const env = { AUTODL_QUEUE_DB: db };
    const cfg = writeConfig('gone.json', deploymentConfig('gone-rs', { type: 'ReplicaSet', replicas: 1 }));
    const sub = await runCli(['submit', cfg, '--interval', '0.05', '--json'], { sim, env });
    assert.equal(sub.code, 0, sub.stderr + sub.stdout);
    const uuid = json<{ deployment_uuid: string }>(sub).deployment_uuid;
    await new Promise((r) => setTimeout(r, 50)); // some (wall-clock) life on the queue's clock
    const del = await runCli(['delete', uuid, '--json'], { sim, env });
    assert.equal(del.code, 0, del.stderr);
    const cost = json<{ total_yuan: number; deployments: Array<{ uuid: string; deleted?: boolean; spent_yuan: number; estimate?: string }> }>(
      await runCli(['cost', '--json'], { sim, env }),
    );
    const gone = cost.deployments.find((x) => x.uuid === uuid);
    assert.ok(gone, JSON.stringify(cost));
    assert.equal(gone.deleted, true);
    assert.equal(gone.estimate, 'at_most');
    assert.ok(gone.spent_yuan > 0, JSON.stringify(gone));
    const again = json<{ deployments: Array<{ uuid: string; spent_yuan: number }> }>(await runCli(['cost', '--json'], { sim, env }));
    assert.equal(again.deployments.find((x) => x.uuid === uuid)?.spent_yuan, gone.spent_yuan, 'ended at the delete: it grows no more');
    const without = json<{ deployments: Array<{ uuid: string }> }>(await runCli(['cost', '--json'], { sim, env: { AUTODL_QUEUE_DB: join(tmpdir(), `none-${process.pid}.db`) } }));
    assert.equal(without.deployments.some((x) => x.uuid === uuid), false, 'no queue database, nothing to remember');
  });
});

describe('auth status, logout, a checked login, a 401 that says what to do (§4.6)', () => {
  test('login checks the token against the API: a refused one is not saved; auth status shows source, host and a masked token; logout removes it', async () => {
    const home = tempHome();
    try {
      const env = { AUTODL_TOKEN: undefined, AUTODL_HOST: undefined };
      const bad = await runCli(['--host', sim.url, 'login', '--token-stdin', '--json'], { home, env, input: 'not-a-valid-token-123456' });
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.equal(json<ErrorResult>(bad).error_type, 'token_invalid');
      assert.equal(existsSync(join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json')), false, 'a refused token is not saved');
      const ok = await runCli(['--host', sim.url, 'login', '--token-stdin', '--json'], { home, env, input: sim.token });
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.equal(json<{ checked: boolean }>(ok).checked, true);

      const st = await runCli(['auth', 'status', '--json'], { home, env });
      assert.equal(st.code, 0, st.stderr);
      const s = json<{ token_source: string; token_masked: string; host: string; valid: boolean }>(st);
      assert.equal(s.token_source, 'user_config');
      assert.equal(s.host, sim.url);
      assert.equal(s.valid, true);
      assert.match(s.token_masked, new RegExp(`^\\*\\*\\*\\*…${sim.token.slice(-4)} \\(${sim.token.length} chars\\)$`));
      assert.ok(!st.stdout.includes(sim.token), 'the token itself is never printed');
      const zh = await runCli(['auth', 'status', '--no-json', '--lang', 'zh'], { home, env });
      assert.match(zh.stdout, /开发者Token: \*\*\*\*…/);
      assert.match(zh.stdout, /API 接受此开发者Token/);

      const out = await runCli(['logout', '--json'], { home, env });
      assert.equal(json<{ removed: boolean }>(out).removed, true);
      const after = json<{ logged_in: boolean; token_source: string | null }>(await runCli(['auth', 'status', '--json'], { home, env }));
      assert.equal(after.logged_in, false);
      assert.equal(after.token_source, null);
      const still = await runCli(['logout', '--json'], { home, env: { AUTODL_TOKEN: 'from-env-token-abcdef' } });
      assert.match(still.stderr, /AUTODL_TOKEN/, 'a token of the environment is not logout\'s to remove: said so');
    } finally {
      home.cleanup();
    }
  });

  test('a 401 says where the token came from and to run autodl login', async () => {
    const r = await runCli(['stock', '--json'], { sim, env: { AUTODL_TOKEN: 'wrong-token-abcdef-123456' } });
    assert.equal(r.code, 3, r.stdout);
    const e = json<ErrorResult & { details: { token_source?: string; status?: number } }>(r);
    assert.equal(e.error_type, 'api_error');
    assert.equal(e.details.status, 401);
    assert.equal(e.details.token_source, 'env');
    assert.match(e.message, /refused the token from the environment \(AUTODL_TOKEN\): run `autodl login`/);
  });
});

describe('shell completion (§4.8)', () => {
  const complete = (script: string, words: string[]) => {
    const r = spawnSync('bash', ['-c', `source "$1"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _autodl; printf '%s\\n' "\${COMPREPLY[@]}"`, '_', script], { encoding: 'utf8' });
    return r.stdout.split('\n').filter(Boolean);
  };

  test('bash: commands, sub-commands and options come from the program definition', async () => {
    const r = await runCli(['completion', 'bash'], {});
    assert.equal(r.code, 0, r.stderr);
    const file = writeConfig('autodl.bash', r.stdout);
    assert.equal(spawnSync('bash', ['-n', file]).status, 0, 'valid bash');
    assert.ok(complete(file, ['autodl', 'qu']).includes('queue'));
    assert.deepEqual(complete(file, ['autodl', 'queue', 'r']).sort(), ['retry', 'run']);
    assert.ok(complete(file, ['autodl', 'submit', '--inter']).includes('--interval'));
    assert.ok(complete(file, ['autodl', 'auth', '']).includes('status'), 'new commands are in it without being listed by hand');
    const help = await runCli(['--help'], {});
    const commands = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]*)[ |]/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    const top = complete(file, ['autodl', '']);
    for (const c of commands) assert.ok(top.includes(c), `${c} completes`);
  });

  test('zsh and fish scripts; install writes where the shell looks, and says what is left to do', async () => {
    const zsh = await runCli(['completion', 'zsh'], {});
    assert.match(zsh.stdout, /^#compdef autodl/);
    const fish = await runCli(['completion', 'fish'], {});
    assert.match(fish.stdout, /complete -c autodl -n '__fish_use_subcommand' -a 'queue'/);
    assert.match(fish.stdout, /complete -c autodl -n '__fish_seen_subcommand_from submit' -l interval -r -F/);
    const bad = await runCli(['completion', 'install', '--shell', 'tcsh', '--json'], {});
    assert.equal(json<ErrorResult>(bad).error_type, 'config_error');
    const home = tempHome();
    try {
      for (const [shell, rel] of [['fish', '.config/fish/completions/autodl.fish'], ['bash', '.local/share/bash-completion/completions/autodl'], ['zsh', '.local/share/zsh/site-functions/_autodl']] as const) {
        const r = await runCli(['completion', 'install', '--json'], { home, env: { SHELL: `/usr/bin/${shell}` } });
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const res = json<{ path: string; shell: string; next: string }>(r);
        assert.equal(res.shell, shell);
        assert.equal(res.path, join(home.dir, rel));
        assert.ok(readFileSync(res.path, 'utf8').includes('autodl'));
      }
    } finally {
      home.cleanup();
    }
  });
});

describe('autodl init (§4.9)', () => {
  test('flags for scripts: a config from the real images and stock that validates and submits, never overwriting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodl-ends-init-'));
    const file = join(dir, 'train.yaml');
    const r = await runCli(['init', file, '--gpu', 'L20', '--type', 'Job', '--name', 'init-job', '--cmd', 'sleep 5', '--yes', '--json'], { sim });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const res = json<{ dialect: string; body: { name: string; container_template: { gpu_name_set: string[]; image_uuid: string; cuda_v?: number } } }>(r);
    assert.equal(res.dialect, 'private');
    assert.deepEqual(res.body.container_template.gpu_name_set, ['L20']);
    assert.equal(res.body.container_template.cuda_v, 118);
    const images = json<Array<{ image_uuid: string }>>(await runCli(['images', '--json'], { sim }));
    assert.equal(res.body.container_template.image_uuid, images[0]!.image_uuid, "the account's own image");
    assert.equal((await runCli(['validate', file, '--json'], { sim })).code, 0);
    const again = await runCli(['init', file, '--yes', '--json'], { sim });
    assert.equal(again.code, 1);
    assert.match(json<ErrorResult>(again).message, /exists already/);
    const typo = await runCli(['init', join(dir, 'x.yaml'), '--gpu', '4090', '--yes', '--json'], { sim });
    assert.ok(json<{ details: { near: string[] } }>(typo).details.near.includes('RTX 4090'));
    const sub = await runCli(['submit', file, '--interval', '0.05', '--json', '--db', join(dir, 'q.db')], { sim });
    assert.equal(sub.code, 0, sub.stderr + sub.stdout);
    await runCli(['delete', json<{ deployment_uuid: string }>(sub).deployment_uuid, '--json'], { sim });
  });

  test('in the dialect of the host: a public host gets a CUDA range and dc_list', async () => {
    const pub = await startSim({ dialect: 'public' });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'autodl-ends-init-pub-'));
      const file = join(dir, 'pub.yaml');
      const r = await runCli(['init', file, '--yes', '--json', '--dialect', 'public'], { sim: pub });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const tpl = json<{ body: { container_template: Record<string, unknown> } }>(r).body.container_template;
      assert.deepEqual(tpl.dc_list, ['westDC2']);
      assert.equal(tpl.cuda_v_from, 118);
      assert.equal('cuda_v' in tpl, false);
      assert.match(readFileSync(file, 'utf8'), /written by `autodl init` for the public dialect/);
    } finally {
      await pub.close();
    }
  });
});
