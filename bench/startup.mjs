// Startup speed, measured side by side in one run (issue 3, §7; issue 14, §7):
// `autodl --help`, `autodl stock --json` (against a local simulator) and the config commands
// (`validate`, `create --dry-run`: offline) versus `node -e 0`.
// Usage: npm run build && node bench/startup.mjs [runs]
// Also measures the floor of any network command: plain node making one HTTP GET.
// Prints medians and ratios, of the wall clock and of each child's CPU time; no thresholds
// (this is a measurement, not a test).
//
// NODE_EXTRA_CA_CERTS is removed from the children's environment: with it, node reads and
// parses a CA bundle at every start (about 60 ms on this box), which inflates the
// `node -e 0` baseline and flatters every ratio. Pass --keep-env to measure with it anyway.
import { spawnSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const keepEnv = process.argv.includes('--keep-env');
const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 21);
const node = process.execPath;

// A simulator in its own process, so its work does not share our event loop.
const sim = spawn(node, ['dist/autodl.cjs', 'sim', '--port', '0', '--manual', '--no-background'], {
  stdio: ['ignore', 'pipe', 'ignore'],
});
const rl = createInterface({ input: sim.stdout });
const [url] = await once(rl, 'line');
const env = { ...process.env, AUTODL_HOST: url.trim(), AUTODL_TOKEN: 'autodl-sim-demo-token', NO_COLOR: '1' };
if (!keepEnv) delete env.NODE_EXTRA_CA_CERTS;

const scratch = mkdtempSync(join(tmpdir(), 'autodl-bench-'));
const emptyScript = join(scratch, 'empty.cjs');
writeFileSync(emptyScript, '');
// Each child also reports the CPU time it used (all its threads, user + system), through a
// preloaded probe that every case gets alike: unlike the wall clock, that does not grow while
// the child waits for a CPU another job holds, so its ratios hold on a busy machine too.
const probe = join(scratch, 'cpu-probe.cjs');
writeFileSync(probe, "process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeSync(2, '\\n__autodl_bench_cpu=' + (u.user + u.system) / 1000 + '\\n'); });\n");

const cases = {
  'node -e 0': [node, ['-e', '0']],
  // the floor for any command installed as a script: node running an empty CommonJS file
  'node: empty .cjs file': [node, [emptyScript]],
  // the floor for any network command: node itself making one HTTP request to the simulator
  'node: one http GET': [node, ['-e', `require('node:http').get(${JSON.stringify(`${url.trim()}/api/v1/dev/machine/gpu_stock`)}, { headers: { Authorization: 'autodl-sim-demo-token' } }, (r) => r.resume())`]],
  // the installed executable (package.json "bin")
  'autodl --help': [node, ['dist/autodl.cjs', '--help']],
  'autodl stock --json': [node, ['dist/autodl.cjs', 'stock', '--json']],
  // a command that reads a config (YAML: dist/vendor-yaml.cjs; a valid one needs no zod), offline
  'autodl validate --json': [node, ['dist/autodl.cjs', 'validate', 'examples/train-job.yaml', '--json']],
  // the same for a JSON config (no YAML parser needed), and the request a create would send
  'autodl validate (.json)': [node, ['dist/autodl.cjs', 'validate', 'examples/train-job.json', '--json']],
  'autodl create --dry-run': [node, ['dist/autodl.cjs', 'create', 'examples/train-job.yaml', '--dry-run', '--json']],
  // the same without V8's code cache (src/cli/load.ts): what the cache saves
  'stock, no code cache': [node, ['dist/autodl.cjs', 'stock', '--json'], { AUTODL_CODE_CACHE: '0' }],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  // interleave the cases so drift in machine load hits all of them alike
  for (const [name, [cmd, args, extraEnv]] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: { ...env, ...extraEnv, NODE_OPTIONS: `--require ${probe}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    const used = /__autodl_bench_cpu=([\d.]+)/.exec(String(r.stderr));
    if (!used) throw new Error(`${name}: no CPU figure from the probe`);
    if (i > 0) {
      times[name].push(ms); // first round warms the file cache
      cpu[name].push(Number(used[1]));
    }
  }
}
sim.kill();
rmSync(scratch, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
const cpuBase = median(cpu['node -e 0']);
console.log(`runs: ${runs - 1} (after one warm-up), node ${process.version}, NODE_EXTRA_CA_CERTS ${env.NODE_EXTRA_CA_CERTS ? 'kept' : 'unset'}`);
console.log(`${''.padEnd(24)} wall clock                    CPU time (the child's own)`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  const c = median(cpu[name]);
  console.log(`${name.padEnd(24)} median ${m.toFixed(1).padStart(7)} ms   ratio ${(m / base).toFixed(2)}x   median ${c.toFixed(1).padStart(7)} ms   ratio ${(c / cpuBase).toFixed(2)}x`);
}
