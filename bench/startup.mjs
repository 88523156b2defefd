// Startup speed, measured side by side in one run (issue 3, §7):
// `autodl --help` and `autodl stock --json` (against a local simulator) versus `node -e 0`.
// Usage: npm run build && node bench/startup.mjs [runs]
// Also measures the floor of any network command: plain node making one HTTP GET.
// Prints medians and ratios; no thresholds (this is a measurement, not a test).
import { spawnSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const runs = Number(process.argv[2] ?? 21);
const node = process.execPath;

// A simulator in its own process, so its work does not share our event loop.
const sim = spawn(node, ['dist/autodl.js', 'sim', '--port', '0', '--manual', '--no-background'], {
  stdio: ['ignore', 'pipe', 'ignore'],
});
const rl = createInterface({ input: sim.stdout });
const [url] = await once(rl, 'line');
const env = { ...process.env, AUTODL_HOST: url.trim(), AUTODL_TOKEN: 'autodl-sim-demo-token', NO_COLOR: '1' };

const cases = {
  'node -e 0': [node, ['-e', '0']],
  // the floor for any network command: node itself making one HTTP request to the simulator
  'node: one http GET': [node, ['-e', `require('node:http').get(${JSON.stringify(`${url.trim()}/api/v1/dev/machine/gpu_stock`)}, { headers: { Authorization: 'autodl-sim-demo-token' } }, (r) => r.resume())`]],
  'autodl --help': [node, ['dist/autodl.js', '--help']],
  'autodl stock --json': [node, ['dist/autodl.js', 'stock', '--json']],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  // interleave the cases so drift in machine load hits all of them alike
  for (const [name, [cmd, args]] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    if (i > 0) times[name].push(ms); // first round warms the file cache
  }
}
sim.kill();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
console.log(`runs: ${runs - 1} (after one warm-up), node ${process.version}`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`${name.padEnd(22)} median ${m.toFixed(1).padStart(7)} ms   ratio ${(m / base).toFixed(2)}x`);
}
