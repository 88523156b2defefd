// Section 7 — hostile servers: a loopback server of our own whose every string carries
// terminal control sequences (ESC/OSC/OSC 8/CSI, C1, bidi, C0), run through every
// human-output command; an endless 600 MB reply to the CLI, the SDK, the queue worker and
// the MCP server; out-of-range intervals and timeouts on the CLI and MCP; and the
// simulator's clock-advance bound.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { AutodlClient } from '../src/api/index.js';
import { ApiError } from '../src/errors.js';
import { startSimulator } from '../src/sim/index.js';
import { MAX_ADVANCE_MS } from '../src/sim/server.js';
import { INTERVAL_MAX_S, TIMEOUT_MAX_S } from '../src/util/bounds.js';
import { ALL_HOSTILE, H_DEP, HOSTILE, humanCommands, rawControls, startEndlessServer, startHostileServer } from '../test/reliability/hostile-server.js';
import { check, CLI, cleanEnv, hasStackTrace, mb, newSection, notCleanError, pool, report, ROOT, runCli, type Section, type Suite } from './lib.js';

const PEAK = join(ROOT, 'reliability', 'peak-rss.cjs');
const TOTAL = 600 * 1024 * 1024;

/** Peak RSS (bytes) of the processes that appended to `file`, then the file is removed. */
function peakOf(file: string): number {
  try {
    const kib = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
    return Math.max(0, ...kib) * 1024;
  } catch {
    return 0;
  } finally {
    rmSync(file, { force: true });
  }
}

function deploymentFile(suite: Suite, name: string, body: Record<string, unknown>): string {
  const p = join(suite.work, name);
  writeFileSync(p, JSON.stringify(body));
  return p;
}

export async function hostile(suite: Suite): Promise<Section> {
  const sec = newSection(
    'hostile',
    '7. Hostile servers',
    'A loopback server of the suite\'s own plays AutoDL with hostile replies: every string it chooses (names, statuses, events, GPU names, images, blacklist, error `code`/`msg`) carries ESC/OSC title, OSC 8 link, CSI clear, SGR look-alikes, C1, bidi and C0 controls; every human-output command runs against it (`--no-json`, colour forced; the live views on a pseudo-terminal) and what it printed is searched for raw control characters once our own SGR colours are taken out. Then an endless 600 MB reply to the CLI, the SDK, the queue worker and the MCP server; out-of-range intervals and timeouts; the simulator\'s clock-advance bound.',
  );
  const token = `rel-hostile-${randomBytes(12).toString('hex')}`;
  suite.secret(token);
  const home = join(suite.work, 'hostile-home');
  const base = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), AUTODL_TOKEN: token };
  const tpl = { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: 'image-hostile-1', cmd: 'sleep 1' };
  const cfg = deploymentFile(suite, 'hostile-cfg.json', { name: 'hostile-cfg', deployment_type: 'Container', container_template: tpl });
  const badCfg = deploymentFile(suite, 'hostile-bad.json', { name: ALL_HOSTILE, deployment_type: ALL_HOSTILE, container_template: { ...tpl, gpu_num: ALL_HOSTILE, [ALL_HOSTILE]: 1 } });
  const db = join(suite.work, 'hostile-q.db');
  const named = deploymentFile(suite, 'hostile-named.json', { name: 'q-bidi\u202eevil\u2066x\u2069\u009b2J', deployment_type: 'Container', container_template: tpl });

  // ---- 1. terminal injection ----
  const srv = await startHostileServer();
  try {
    const env = (host: string) => cleanEnv({ ...base, AUTODL_HOST: host, FORCE_COLOR: '1' });
    await runCli(suite, ['queue', 'add', named, '--db', db, '--label', `l-${ALL_HOSTILE.replace(/\x00/g, '')}`, '--json'], { env: env(srv.url) });
    const cmds = humanCommands({ cfg, badCfg, db });
    // ci: all strings at once through every command, and each kind alone through three; full: every command × every kind
    const kinds = ['all', ...Object.keys(HOSTILE)];
    const runs: Array<[string, string[]]> = [];
    for (const kind of kinds) {
      for (const args of cmds) {
        if (suite.scale === 'ci' && kind !== 'all' && !['deployments', 'events', 'delete'].includes(args[0]!)) continue;
        runs.push([kind, args]);
      }
    }
    const bad: string[] = [];
    let raw = 0;
    let stacks = 0;
    let coloured = 0;
    await pool(runs, suite.sizes.cliConcurrency, async ([kind, args]) => {
      const r = await runCli(suite, [...args, '--no-json'], { env: env(kind === 'all' ? srv.url : srv.urlFor(kind)), timeoutMs: 30_000 });
      const out = r.stdout + r.stderr;
      const found = rawControls(out);
      raw += found.length;
      if (found.length) bad.push(`autodl ${args.join(' ')} × ${kind}: ${found.length} raw, first ${found[0]}`);
      if (hasStackTrace(out)) stacks++;
      if (/\x1b\[3\dm/.test(out)) coloured++;
    });
    // the live views on a pseudo-terminal (util-linux script), when there is one
    const ttyCmds = [
      ['watch', H_DEP, '--count', '2', '--interval', '0.05'],
      ['watch', '--count', '2', '--interval', '0.05'],
      ['wait', H_DEP, '--for', 'running', '--timeout', '0.3', '--interval', '0.05'],
      ['submit', cfg, '--interval', '0.05', '--timeout', '0.3'],
      ['queue', 'ls', '--watch', '--count', '2', '--interval', '0.05', '--db', db],
    ];
    let ttyRuns = 0;
    if (spawnSync('script', ['--version']).status === 0) {
      const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      for (const args of ttyCmds) {
        const cmd = [process.execPath, CLI, ...args].map(quote).join(' ');
        const r = await new Promise<string>((res) => {
          const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...env(srv.url), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
          child.stdin.end();
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.on('close', () => {
            clearTimeout(timer);
            res(out);
          });
        });
        suite.capture(`script autodl ${args[0]}`, r);
        ttyRuns++;
        const found = rawControls(r, { tty: true });
        raw += found.length;
        if (found.length) bad.push(`(terminal) autodl ${args.join(' ')}: ${found.length} raw, first ${found[0]}`);
      }
    }
    const cmdT = `${suite.rerun('hostile')} (node dist/autodl.cjs <command> --no-json, FORCE_COLOR=1, against the hostile loopback server)`;
    check(sec, `terminal injection: raw control characters printed (${runs.length} runs: ${cmds.length} command lines × ${suite.scale === 'ci' ? 'all strings, + 3 × each of' : ''} ${Object.keys(HOSTILE).length} kinds; + ${ttyRuns} on a pseudo-terminal)`, raw, raw === 0, cmdT, bad.slice(0, 3).join('; '));
    check(sec, 'terminal injection: stack traces', stacks, stacks === 0, cmdT);
    check(sec, 'terminal injection: our own colours still shown (runs with SGR colour)', `${coloured} of ${runs.length}`, coloured > 0, cmdT);
  } finally {
    await srv.close();
  }

  // ---- 2. oversized replies ----
  const cmdO = `${suite.rerun('hostile')} (a loopback server streaming a 600 MB JSON body, chunked, as fast as the client reads)`;
  const overs: string[] = [];
  const peaks: string[] = [];
  let clean = 0;
  let cases = 0;
  let cut = 0;
  let conns = 0;
  const rssFile = join(suite.work, 'hostile-peak-rss');
  const peakEnv = (host: string) => cleanEnv({ ...base, AUTODL_HOST: host, NODE_OPTIONS: `--require ${PEAK}`, AUTODL_PEAK_RSS_FILE: rssFile });
  const withEndless = async (what: string, fn: (url: string) => Promise<string | undefined>) => {
    const s = await startEndlessServer({ total: TOTAL });
    cases++;
    try {
      const why = await fn(s.url);
      if (why) overs.push(`${what}: ${why}`);
      else clean++;
      // the server sees each connection close before it has sent it all
      for (let i = 0; i < 200 && s.cutShort() < s.sent.length; i++) await new Promise((r) => setImmediate(r));
      conns += s.sent.length;
      cut += s.cutShort();
    } finally {
      await s.close();
    }
  };
  // the same CLI on a normal reply, for comparison
  const base0 = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: false });
  try {
    await runCli(suite, ['deployments', '--json'], { env: peakEnv(base0.url) });
    peaks.push(`(autodl deployments on a normal reply: ${mb(peakOf(rssFile))})`);
  } finally {
    await base0.close();
  }
  // CLI
  for (const args of [['deployments'], ['stock'], ['describe', H_DEP]]) {
    await withEndless(`autodl ${args.join(' ')}`, async (url) => {
      const r = await runCli(suite, [...args, '--json'], { env: peakEnv(url), timeoutMs: 120_000 });
      peaks.push(`autodl ${args[0]} ${mb(peakOf(rssFile))}`);
      const why = notCleanError(r, ['api_error'], 3);
      if (why) return why;
      return (JSON.parse(r.stdout) as { details?: { kind?: string } }).details?.kind === 'too_large' ? undefined : `not kind too_large: ${r.stdout.slice(0, 200)}`;
    });
  }
  // SDK (in this process)
  await withEndless('SDK deployments.list', async (url) => {
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const probe = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      await new AutodlClient({ token, host: url }).deployments.list();
      return 'no error';
    } catch (e) {
      if (!(e instanceof ApiError)) return `not an ApiError: ${String(e)}`;
      return e.details.kind === 'too_large' ? undefined : `kind ${String(e.details.kind)}`;
    } finally {
      clearInterval(probe);
      peaks.push(`SDK +${mb(Math.max(0, peak - rss0))} over the suite's own`);
    }
  });
  // the worker: queue run --once with an entry pending
  await withEndless('autodl queue run --once', async (url) => {
    const qdb = join(suite.work, 'hostile-worker.db');
    await runCli(suite, ['queue', 'add', cfg, '--db', qdb, '--json'], { env: cleanEnv({ ...base, AUTODL_HOST: url }) });
    const r = await runCli(suite, ['queue', 'run', '--once', '--db', qdb, '--json'], { env: peakEnv(url), timeoutMs: 120_000 });
    peaks.push(`worker ${mb(peakOf(rssFile))}`);
    if (r.code !== 0) return `exit ${r.code}: ${r.stderr.slice(0, 200)}`;
    if (hasStackTrace(r.stdout + r.stderr)) return 'stack trace';
    return /"type":"error"[^\n]*too_large/.test(r.stderr) ? undefined : `no too_large error event: ${r.stderr.slice(0, 300)}`;
  });
  // the MCP server
  await withEndless('autodl mcp list_stock', async (url) => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: peakEnv(url), cwd: suite.work, stderr: 'pipe' });
    let err = '';
    transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const client = new Client({ name: 'autodl-reliability', version: '0.0.0' });
    await client.connect(transport);
    let why: string | undefined;
    try {
      const r = await client.callTool({ name: 'list_stock', arguments: {} });
      const text = (r.content as Array<{ text?: string }>)[0]?.text ?? '';
      suite.capture('mcp list_stock', text);
      const v = JSON.parse(text) as { error_type?: string; details?: { kind?: string } };
      if (r.isError !== true || v.error_type !== 'api_error' || v.details?.kind !== 'too_large') why = `not a too_large api_error: ${text.slice(0, 200)}`;
      // still serving after it
      const again = await client.callTool({ name: 'validate_config', arguments: { config: cfg } });
      if (again.isError === true) why ??= 'the server did not answer the next call';
    } catch (e) {
      why = `crash: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      await client.close();
      suite.capture('mcp stderr', err);
      if (hasStackTrace(err)) why ??= 'stack trace on stderr';
    }
    await new Promise((r) => setTimeout(r, 200)); // the child writes its peak at exit
    peaks.push(`MCP server ${mb(peakOf(rssFile))}`);
    return why;
  });
  check(sec, `oversized replies (600 MB endless body): crashes or unclean errors (${cases} cases: CLI ×3, SDK, worker, MCP)`, overs.length, overs.length === 0, cmdO, overs.slice(0, 3).join('; '));
  check(sec, 'oversized replies: clean api_error of kind too_large', `${clean}/${cases}`, clean === cases, cmdO);
  check(sec, 'oversized replies: connections the client dropped before the end (did not read it all)', `${cut}/${conns}`, cut === conns && conns > 0, cmdO);
  report(sec, 'oversized replies: peak RSS (cap 32 MiB)', peaks.join('; '), cmdO);

  // ---- 3. out-of-range intervals and timeouts ----
  const sim = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: false });
  const cmdI = `${suite.rerun('hostile')} (node dist/autodl.cjs … --json and autodl mcp, against the simulator)`;
  try {
    const senv = cleanEnv({ ...base, AUTODL_HOST: sim.url });
    const q = join(suite.work, 'hostile-iv.db');
    const lines = outOfRange(cfg, q);
    const accepted: string[] = [];
    const before = sim.stats.total;
    await pool(lines, suite.sizes.cliConcurrency, async (args) => {
      const r = await runCli(suite, [...args, '--json'], { env: senv, timeoutMs: 30_000 });
      const why = notCleanError(r, ['config_error'], 1);
      if (why) accepted.push(`autodl ${args.join(' ')}: ${why.slice(0, 120)}`);
    });
    const sent = sim.stats.total - before;
    // MCP: submit_deployment with bad interval/timeout
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: senv, cwd: suite.work, stderr: 'pipe' });
    const client = new Client({ name: 'autodl-reliability', version: '0.0.0' });
    await client.connect(transport);
    const mcpBad = [{ interval_seconds: 1e-9 }, { interval_seconds: 3_000_000 }, { interval_seconds: 0 }, { timeout_seconds: 1e12 }, { timeout_seconds: -1 }];
    try {
      for (const b of mcpBad) {
        const r = await client.callTool({ name: 'submit_deployment', arguments: { config: cfg, confirm: true, ...b } });
        if (r.isError !== true) accepted.push(`mcp submit_deployment ${JSON.stringify(b)}`);
      }
    } finally {
      await client.close();
    }
    const mcpSent = sim.stats.total - before - sent;
    check(sec, `out-of-range intervals/timeouts accepted (${lines.length} CLI lines, ${mcpBad.length} MCP calls; bounds 0.05 s…${INTERVAL_MAX_S} s, timeouts ≤ ${TIMEOUT_MAX_S} s)`, accepted.length, accepted.length === 0, cmdI, accepted.slice(0, 3).join('; '));
    check(sec, 'out-of-range intervals: API requests sent', sent + mcpSent, sent + mcpSent === 0, cmdI);

    // ---- 4. the simulator's clock advance ----
    const cmdC = `${suite.rerun('hostile')} (POST /__sim/clock/advance on an in-process simulator with background load)`;
    const sim2 = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: true });
    try {
      const adv = async (ms: number) => {
        const t0 = performance.now();
        const r = await fetch(new URL('/__sim/clock/advance', sim2.url), { method: 'POST', body: JSON.stringify({ ms }) });
        await r.text();
        return { status: r.status, ms: performance.now() - t0 };
      };
      const huge = await adv(1e16);
      const now0 = sim2.world.now();
      const max = await adv(MAX_ADVANCE_MS);
      const moved = sim2.world.now() - now0;
      check(sec, 'simulator clock advance of 1e16 ms: refused (HTTP 400)', huge.status, huge.status === 400, cmdC);
      check(sec, 'simulator clock advance of the 30-day maximum: answered, exact', `HTTP ${max.status}, moved ${moved} ms`, max.status === 200 && moved === MAX_ADVANCE_MS, cmdC);
      report(sec, 'simulator clock advance: wall time of the 30-day maximum (background load, no deployments)', `${Math.round(max.ms)} ms`, cmdC);
    } finally {
      await sim2.close();
    }
  } finally {
    await sim.close();
  }
  return sec;
}

/** CLI lines with an interval, timeout or speed out of range: each must be a config_error, exit 1, nothing sent. */
export function outOfRange(file: string, db: string): string[][] {
  return [
    ['submit', file, '--interval', '3000000'],
    ['submit', file, '--interval', '1e-9'],
    ['submit', file, '--timeout', '1e12'],
    ['watch', '--interval', '3000000'],
    ['watch', 'x', '--interval', '0.001'],
    ['wait', 'x', '--for', 'running', '--interval', '3000000'],
    ['wait', 'x', '--for', 'running', '--timeout', '3000000'],
    ['events', 'x', '--follow', '--interval', '1e-9'],
    ['events', 'x', '--follow', '--interval', '3000000'],
    ['queue', 'run', '--once', '--db', db, '--interval', '3000000'],
    ['queue', 'run', '--db', db, '--interval', '1e-9'],
    ['queue', 'ls', '--watch', '--db', db, '--interval', '1e-9'],
    ['queue', 'ls', '--watch', '--db', db, '--interval', '3000000'],
    ['demo', '--interval', '3000000'],
    ['demo', '--speed', '1e9'],
    ['demo', '--busy', '3000000'],
    ['sim', '--speed', '1e9'],
  ];
}
