// The planner's tick cost with the queue's policies (issue 16), measured side by side in one
// run: --pending pending entries (default 10,000) planned against one stock snapshot, once
// without policies and once with every policy in play — a third of the entries depend on
// another entry, every entry has a time limit and a label budget (20 labels), a queue budget,
// and shares between 8 owners with weights — and 1,000 alive entries counted against the
// limits. Reported: the median of --runs plans each, and the ratio with / without.
// No thresholds: this is a measurement, not a test.
//
// Usage: node --import tsx bench/policies.mjs [--pending 10000] [--runs 15]
import { plan } from '../src/queue/planner.ts';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : def;
};
const N = opt('pending', 10_000);
const runs = opt('runs', 15);
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const TYPES = ['RTX 4090', 'RTX 3090', 'A800', 'H800'];

const body = (i) => ({
  name: `p-${i}`,
  deployment_type: 'Job',
  replica_num: 1 + (i % 3),
  parallelism_num: 1 + (i % 2),
  container_template: { gpu_name_set: [TYPES[i % 4], TYPES[(i + 1) % 4]], gpu_num: 1 + (i % 4), price_to: 1000 + (i % 7) * 500, image_uuid: 'image-x', cmd: 'python train.py' },
});
const id = (i) => `q-${i.toString(32).padStart(8, '0')}`;
const entry = (i, withPolicy) => ({
  id: id(i),
  priority: i % 5,
  created_at: T0 - (i % 600) * 60_000,
  body: body(i),
  ...(withPolicy
    ? {
        label: `sweep-${i % 20}`,
        owner: `user-${i % 8}`,
        policy: { maxRuntimeMs: (1 + (i % 6)) * HOUR, labelBudget: 5_000, ...(i % 3 === 0 ? { after: [id(N + (i % 1000))] } : {}) },
      }
    : {}),
});
const pendingPlain = Array.from({ length: N }, (_, i) => entry(i, false));
const pendingPolicy = Array.from({ length: N }, (_, i) => entry(i, true));
const alivePlain = Array.from({ length: 1000 }, (_, i) => entry(N + i, false));
const alivePolicy = Array.from({ length: 1000 }, (_, i) => entry(N + i, true));
// plenty of stock for some, none for others: the planner walks every entry
const stock = { 'RTX 4090': { idle: 200, total: 1000 }, 'RTX 3090': { idle: 50, total: 500 }, A800: { idle: 0, total: 100 }, H800: { idle: 8, total: 64 } };
const limits = { maxGpus: 10_000, maxRunning: 5_000 };
const states = new Map();
for (let i = 0; i < 1000; i++) states.set(id(N + i), i % 2 ? 'finished' : 'running');
const byLabel = new Map(Array.from({ length: 20 }, (_, k) => [`sweep-${k}`, 100 + k]));
const policies = {
  context: {
    states,
    spent: { byEntry: new Map(), byLabel, total: 2_000 },
    budgets: { queue: 50_000, byLabel: new Map(Array.from({ length: 20 }, (_, k) => [`sweep-${k}`, 5_000])) },
    committed: { byLabel: new Map(), total: 0 },
  },
  shares: { weights: new Map([['user-0', 2], ['user-1', 3]]) },
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(fn) {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, r];
}
const plain = [];
const withP = [];
let lastPlain;
let lastPolicy;
for (let r = 0; r < runs; r++) {
  // interleaved, so both see the same machine
  const [a, pa] = time(() => plan(stock, pendingPlain, limits, T0, alivePlain));
  const [b, pb] = time(() => plan(stock, pendingPolicy, limits, T0, alivePolicy, policies));
  plain.push(a);
  withP.push(b);
  lastPlain = pa;
  lastPolicy = pb;
}
const reasons = {};
for (const d of lastPolicy.decisions) if (d.action !== 'create') reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
const m0 = median(plain);
const m1 = median(withP);
console.log(`planner tick at ${N} pending, 1,000 alive (median of ${runs}):`);
console.log(`  without policies: ${m0.toFixed(1)} ms (${lastPlain.creates.length} creates)`);
console.log(`  with policies:    ${m1.toFixed(1)} ms (${lastPolicy.creates.length} creates; not created: ${JSON.stringify(reasons)})`);
console.log(`  ratio with / without: ${(m1 / m0).toFixed(2)}x`);
