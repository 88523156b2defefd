// The layers of src/ and the direction of their imports, checked from the code itself.
//
//   node scripts/layers.mjs           check: every import goes down (exit 1 and a list if not),
//                                      and docs/architecture.md carries the current picture
//   node scripts/layers.mjs --write   rewrite the picture in docs/architecture.md
//
// A folder (or top-level file) of src/ may import from its own folder and from folders of a
// lower layer only. The few upward imports that are by design are listed in ALLOWED with why.
// test/architecture.test.ts runs the check.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(repo, 'src');
const DOC = join(repo, 'docs', 'architecture.md');

/** Bottom first. Each line: the folders (or src/<name>.ts files) of one layer and what it is. */
export const LAYERS = [
  [['errors', 'util', 'i18n'], 'the error contract, bounds and safe files, the message catalog'],
  [['api'], 'the SDK: operations table, transport, resources, dialects'],
  [['credentials', 'pipeline', 'watch', 'sim'], 'token and host; config → create body; reading deployments; the simulator'],
  [['queue'], 'the durable queue: planner, stores, submitter, worker'],
  [['notify'], 'notifications (of queue and watch events)'],
  [['ops'], 'the operations both faces share'],
  [['cli', 'mcp'], 'the two faces: the `autodl` command and the MCP server'],
  [['index'], 'the public entry of the package'],
];

/** Imports that go sideways or up on purpose. */
export const ALLOWED = new Map([
  ['cli -> mcp', '`autodl mcp` starts the MCP server (a dynamic import in that one command)'],
]);

function layerOf(unit) {
  const i = LAYERS.findIndex(([units]) => units.includes(unit));
  return i;
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|cts)$/.test(name)) out.push(p);
  }
  return out;
}

/** The unit (first path segment under src/, without extension) a file belongs to. */
function unitOf(absPath) {
  return relative(SRC, absPath).split(/[\\/]/)[0].replace(/\.(ts|js|json|mts|cts)$/, '');
}

/** Every import between units: [{from, to, file, spec}]. Comments are stripped first. */
export function importEdges() {
  const edges = [];
  for (const file of walk(SRC)) {
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    const from = unitOf(file);
    const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g;
    for (const m of text.matchAll(re)) {
      const target = resolve(dirname(file), m[1]);
      if (!target.startsWith(SRC + '/')) continue; // package.json and the like
      const to = unitOf(target);
      if (to !== from) edges.push({ from, to, file: relative(repo, file), spec: m[1] });
    }
  }
  return edges;
}

export function check() {
  const problems = [];
  const units = new Set(walk(SRC).map(unitOf));
  for (const u of units) if (layerOf(u) < 0) problems.push(`src/${u} is in no layer: add it to LAYERS in scripts/layers.mjs`);
  for (const e of importEdges()) {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (a < 0 || b < 0) continue;
    if (b < a) continue;
    if (ALLOWED.has(`${e.from} -> ${e.to}`)) continue;
    problems.push(`${e.file} imports ${e.spec}: ${e.from} (layer ${a}) may not import ${e.to} (layer ${b})`);
  }
  return problems;
}

/** The picture for docs/architecture.md: layers top first, each with what it imports. */
export function picture() {
  const edges = importEdges();
  const uses = new Map();
  for (const e of edges) {
    if (!uses.has(e.from)) uses.set(e.from, new Set());
    uses.get(e.from).add(e.to);
  }
  const lines = [];
  for (let i = LAYERS.length - 1; i >= 0; i--) {
    const [units, what] = LAYERS[i];
    lines.push(`${i}  ${units.join(', ').padEnd(34)} ${what}`);
    for (const u of units) {
      const to = [...(uses.get(u) ?? [])].sort((x, y) => layerOf(y) - layerOf(x) || x.localeCompare(y));
      if (to.length) lines.push(`     ${u.padEnd(12)} → ${to.join(', ')}`);
    }
  }
  return lines.join('\n');
}

const BEGIN = '<!-- layers:begin (scripts/layers.mjs --write) -->';
const END = '<!-- layers:end -->';

export function docBlock() {
  return `${BEGIN}\n\`\`\`text\n${picture()}\n\`\`\`\n${END}`;
}

export function docIsCurrent() {
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  return a >= 0 && b > a && doc.slice(a, b + END.length) === docBlock();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    const doc = readFileSync(DOC, 'utf8');
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    if (a < 0 || b < a) throw new Error(`docs/architecture.md has no ${BEGIN} … ${END} block`);
    writeFileSync(DOC, doc.slice(0, a) + docBlock() + doc.slice(b + END.length));
  }
  const problems = check();
  if (!docIsCurrent()) problems.push('docs/architecture.md: the layer picture is out of date: run node scripts/layers.mjs --write');
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log(picture());
}
