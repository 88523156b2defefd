// Section 5 — secrets: every token and container root_password of the run searched for in
// everything the suite saw (stdout/stderr of every process, its own log) and wrote (queue
// databases with -wal/-shm, configs, logs); login's file modes; plain http refused before
// any connection.
import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutodlClient } from '../src/api/index.js';
import { ApiError } from '../src/errors.js';
import { startSimulator } from '../src/sim/index.js';
import { collectSecrets, jobBody } from './faults.js';
import { check, cleanEnv, newSection, report, runCli, type Section, type Suite } from './lib.js';
import { scanFile, scanText, walkFiles } from './report.js';

export async function secrets(suite: Suite): Promise<Section> {
  const sec = newSection('secrets', '5. Secrets', 'Every token and every container `root_password` of the whole run (collected from the simulators\' worlds) searched for in all captured stdout/stderr, the suite\'s log, every file under the run\'s work directory (queue databases with `-wal`/`-shm`, configs, homes) and the generated report. Runs last.');
  const token = `rel-secrets-${randomBytes(12).toString('hex')}`;
  suite.secret(token);
  const sim = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: false });
  const home = join(suite.work, 'secrets-home');
  const env = cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), AUTODL_HOST: sim.url, AUTODL_TOKEN: token });
  const cmdCli = 'AUTODL_HOST=<sim> node dist/autodl.cjs create|describe|containers|events|ssh|deployments --verbose';
  try {
    // commands that see containers (and so root passwords), with debug output on
    const cfg = join(suite.work, 'secrets-create.json');
    writeFileSync(cfg, JSON.stringify({ ...jobBody('secrets'), deployment_type: 'ReplicaSet' }));
    const created = await runCli(suite, ['create', cfg, '--json', '--verbose'], { env });
    const uuid = (JSON.parse(created.stdout) as { deployment_uuid?: string }).deployment_uuid ?? 'none';
    sim.world.advance(20_000);
    const t = sim.world.tenantFor(token)!;
    const container = sim.world.listContainers(t, uuid, {})[0]?.uuid ?? 'none';
    for (const args of [
      ['describe', uuid, '--verbose'],
      ['describe', uuid, '--json', '--verbose'],
      ['containers', uuid, '--json', '--verbose'],
      ['containers', uuid, '--verbose'],
      ['events', uuid, '--json', '--verbose'],
      ['ssh', container, '--json', '--verbose'],
      ['ssh', container, '--verbose'],
      ['deployments', '--json', '--verbose'],
      ['stock', '--verbose'],
    ]) {
      await runCli(suite, args, { env });
    }
    // an error path with the token in the request: an unknown token is refused (401)
    await runCli(suite, ['deployments', '--json', '--verbose'], { env: { ...env, AUTODL_TOKEN: `${token}-wrong` } });
    suite.secret(`${token}-wrong`);
    const pw = await collectSecrets(suite, sim, [token]);
    report(sec, 'CLI runs that saw containers (debug output on)', `10 runs, ${pw} root password(s) in the world`, cmdCli);
  } finally {
    await sim.close();
  }

  // ---- login: file modes, the token not echoed ----
  const loginToken = `rel-login-${randomBytes(12).toString('hex')}`;
  const lhome = join(suite.work, 'login-home');
  const lenv = cleanEnv({ HOME: lhome, XDG_CONFIG_HOME: join(lhome, '.config') });
  const lr = await runCli(suite, ['login', '--token-stdin', '--no-check', '--json'], { env: lenv, input: `${loginToken}\n` });
  let path = '';
  try {
    path = (JSON.parse(lr.stdout) as { path?: string }).path ?? '';
  } catch {
    /* reported below */
  }
  const cmdLogin = "echo <token> | node dist/autodl.cjs login --token-stdin --json (private HOME)";
  let mode = 'missing';
  let dirMode = 'missing';
  try {
    mode = (statSync(path).mode & 0o777).toString(8);
    dirMode = (statSync(join(path, '..')).mode & 0o777).toString(8);
  } catch {
    /* reported */
  }
  check(sec, 'login: config file mode', mode, mode === '600', cmdLogin);
  check(sec, 'login: config directory mode', dirMode, dirMode === '700', cmdLogin);
  const echoed = scanText(lr.stdout + lr.stderr, [loginToken]);
  check(sec, 'login: token echoed on stdout/stderr', echoed, echoed === 0 && lr.code === 0, cmdLogin, `exit ${lr.code}`);

  // ---- plain http to a non-loopback host: refused before any connection ----
  let fetchCalls = 0;
  const spy: typeof fetch = async () => {
    fetchCalls++;
    throw new Error('must not be called');
  };
  const c = new AutodlClient({ token, host: 'http://10.255.255.1', fetch: spy, retries: 3 });
  const t0 = performance.now();
  let kind = 'none';
  try {
    await c.stock.get();
  } catch (e) {
    kind = e instanceof ApiError ? e.info.kind : 'other';
  }
  const took = performance.now() - t0;
  const cmdSdk = "new AutodlClient({ host: 'http://10.255.255.1', fetch: spy }).stock.get()";
  check(sec, 'SDK, token over plain http to 10.255.255.1: error kind / fetch calls', `${kind} / ${fetchCalls}`, kind === 'refused' && fetchCalls === 0, cmdSdk);
  report(sec, 'SDK refusal time', `${took.toFixed(2)} ms`, cmdSdk);
  const r = await runCli(suite, ['stock', '--json'], { env: cleanEnv({ HOME: lhome, XDG_CONFIG_HOME: join(lhome, '.config'), AUTODL_HOST: 'http://10.255.255.1', AUTODL_TOKEN: token }), timeoutMs: 20_000 });
  let cliKind = 'none';
  try {
    const j = JSON.parse(r.stdout) as { error_type?: string; details?: { kind?: string } };
    cliKind = `${j.error_type}/${j.details?.kind}`;
  } catch {
    /* reported */
  }
  const cmdCliRef = 'AUTODL_HOST=http://10.255.255.1 node dist/autodl.cjs stock --json';
  check(sec, 'CLI, token over plain http to 10.255.255.1: error_type/kind, exit', `${cliKind}, exit ${r.code}`, cliKind === 'api_error/refused' && r.code === 3, cmdCliRef);
  report(sec, 'CLI refusal: process time', `${Math.round(r.ms)} ms`, cmdCliRef);

  // ---- the search ----
  const all = [...suite.secrets];
  const tokens = all.filter((s) => s.startsWith('rel-')).length;
  const captured = suite.captured.reduce((n, c) => n + scanText(c.text, all), 0);
  const hits = suite.captured.filter((c) => scanText(c.text, all) > 0).map((c) => c.label);
  const files = walkFiles(suite.work).filter((f) => f !== path); // login's config holds its own token by design (not in the search set)
  let inFiles = 0;
  const fileHits: string[] = [];
  for (const f of files) {
    const n = scanFile(f, all);
    if (n > 0) {
      inFiles += n;
      fileHits.push(f.slice(suite.work.length + 1));
    }
  }
  const dbFiles = files.filter((f) => /\.db(-wal|-shm)?$/.test(f)).length;
  const bytes = suite.captured.reduce((n, c) => n + c.text.length, 0);
  const cmdScan = `${suite.rerun('secrets')} (with the other sections: searches their outputs and files too)`;
  report(sec, 'secrets searched for', `${tokens} tokens, ${all.length - tokens} root passwords`, cmdScan);
  check(sec, 'occurrences in captured stdout/stderr and logs', `${captured} (in ${suite.captured.length} streams, ${(bytes / 1024 / 1024).toFixed(1)} MB)`, captured === 0, cmdScan, hits.slice(0, 3).join('; '));
  check(sec, 'occurrences in files written (queue databases, -wal, -shm, configs, homes)', `${inFiles} (in ${files.length} files, ${dbFiles} database files)`, inFiles === 0, cmdScan, fileHits.slice(0, 3).join('; '));
  check(sec, 'root passwords available to search for (the search is not vacuous)', all.length - tokens, all.length - tokens > 0, cmdScan);
  return sec;
}
