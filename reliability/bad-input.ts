// Section 1 — bad input: generated configs (wrong types, missing/extra fields, huge and
// negative numbers, NaN/Infinity, unicode and control characters, anchors and merge keys,
// alias bombs, truncated and binary files, deep nesting, very large files) through the
// library for volume and a sample through the real CLI; bad command-line arguments.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { AutodlError } from '../src/errors.js';
import { prepareSpec } from '../src/pipeline/index.js';
import { startSimulator, DEMO_IMAGE_UUID } from '../src/sim/index.js';
import { check, cleanEnv, newSection, notCleanError, pool, report, runCli, type Section, type Suite } from './lib.js';
import { randomBytes } from 'node:crypto';

export const BASE = {
  name: 'rel-base',
  deployment_type: 'Job',
  replica_num: 1,
  parallelism_num: 1,
  container_template: {
    gpu_name_set: ['RTX 4090'],
    gpu_num: 1,
    cuda_v: 118,
    cpu_num_from: 1,
    cpu_num_to: 100,
    memory_size_from: 8,
    memory_size_to: 256,
    price_from: 100,
    price_to: 9000,
    image_uuid: DEMO_IMAGE_UUID,
    cmd: 'sleep 10',
  },
};

const TOP = ['name', 'deployment_type', 'replica_num', 'parallelism_num', 'reuse_container', 'reuse_container_scope', 'container_template'];
const TPL = Object.keys(BASE.container_template);
const NUMERIC_TPL = ['gpu_num', 'cuda_v', 'cpu_num_from', 'cpu_num_to', 'memory_size_from', 'memory_size_to', 'price_from', 'price_to'];

export interface Case {
  kind: string;
  ext: string;
  content: string | Buffer;
}

type Obj = Record<string, unknown> & { container_template: Record<string, unknown> };
const base = (): Obj => structuredClone(BASE) as Obj;

const wrongValue = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
  fc.double(),
);
const hugeNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, 5_000_000_000, -1, 0, -0, 0.5, 1e-300, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1.5),
  fc.integer({ min: -2_000_000_000, max: -1 }),
  fc.double({ min: 1e12, max: 1e300, noNaN: true }),
);
const weirdText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\u0000', '\u0007bell', 'a\u001bb', 'tab\there', 'line\nbreak', '\u202eevil', 'zero\u200bwidth', '😀🚀', '名字-测试', '\uFEFFbom', 'x'.repeat(65), 'x'.repeat(5000), '', ' ', '-', '../../etc/passwd', '$(rm -rf /)', '`id`'),
);

function serialize(o: unknown, yaml: boolean): { ext: string; content: string } {
  return yaml ? { ext: '.yaml', content: stringify(o) } : { ext: '.json', content: JSON.stringify(o, null, 2) };
}

const objectCase = (kind: string, arb: fc.Arbitrary<Obj>): fc.Arbitrary<Case> =>
  fc.tuple(arb, fc.boolean()).map(([o, yaml]) => ({ kind, ...serialize(o, yaml) }));

const ARBS: Array<[string, fc.Arbitrary<Case>]> = [
  [
    'wrong types',
    objectCase(
      'wrong types',
      fc.tuple(fc.constantFrom(...TOP, ...TPL.map((k) => `tpl.${k}`)), wrongValue).map(([k, v]) => {
        const o = base();
        if (k.startsWith('tpl.')) o.container_template[k.slice(4)] = v;
        else o[k] = v;
        return o;
      }),
    ),
  ],
  [
    'missing fields',
    objectCase(
      'missing fields',
      fc.subarray([...TOP.map((k) => k), ...TPL.map((k) => `tpl.${k}`)], { minLength: 1, maxLength: 4 }).map((ks) => {
        const o = base();
        for (const k of ks) {
          if (k.startsWith('tpl.')) {
            if (o.container_template) delete o.container_template[k.slice(4)];
          } else delete o[k];
        }
        return o;
      }),
    ),
  ],
  [
    'extra fields',
    objectCase(
      'extra fields',
      fc.tuple(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), wrongValue, { minKeys: 1, maxKeys: 4 }), fc.boolean()).map(([extra, inTpl]) => {
        const o = base();
        const target = inTpl ? o.container_template : o;
        for (const [k, v] of Object.entries(extra)) Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
        return o;
      }),
    ),
  ],
  [
    'huge/negative numbers',
    objectCase(
      'huge/negative numbers',
      fc.tuple(fc.constantFrom(...NUMERIC_TPL, 'replica_num', 'parallelism_num'), hugeNumber).map(([k, v]) => {
        const o = base();
        if (NUMERIC_TPL.includes(k)) o.container_template[k] = v;
        else o[k] = v;
        return o;
      }),
    ),
  ],
  [
    'NaN/Infinity',
    fc.tuple(fc.constantFrom(...NUMERIC_TPL), fc.constantFrom('.nan', '.NaN', '.inf', '-.inf', '+.Inf', 'NaN', 'Infinity', '-Infinity'), fc.boolean()).map(([k, lit, json]) => {
      if (json) {
        const text = JSON.stringify(base(), null, 2).replace(new RegExp(`("${k}": )[^,\\n]+`), `$1${lit.replace(/^\./, '')}`);
        return { kind: 'NaN/Infinity', ext: '.json', content: text };
      }
      const text = stringify(base()).replace(new RegExp(`(\\b${k}: ).*`), `$1${lit}`);
      return { kind: 'NaN/Infinity', ext: '.yaml', content: text };
    }),
  ],
  [
    'unicode/control characters',
    objectCase(
      'unicode/control characters',
      fc.tuple(fc.constantFrom('name', 'tpl.cmd', 'tpl.image_uuid', 'tpl.gpu_name_set', 'deployment_type', 'tpl.cmd_before_shutdown'), weirdText).map(([k, s]) => {
        const o = base();
        if (k === 'tpl.gpu_name_set') o.container_template.gpu_name_set = [s];
        else if (k.startsWith('tpl.')) o.container_template[k.slice(4)] = s;
        else o[k] = s;
        return o;
      }),
    ),
  ],
  [
    'anchors and merge keys',
    fc.tuple(fc.constantFrom('gpu_num: 2', 'gpu_num: "x"', 'cmd: sleep 5', 'bogus: 1', 'price_to: -1', ''), fc.boolean()).map(([override, nested]) => {
      const tpl = stringify({ defaults: BASE.container_template }).replace('defaults:', 'defaults: &tpl');
      const body = nested
        ? `${tpl}name: merged\ndeployment_type: Job\nreplica_num: 1\ncontainer_template:\n  <<: *tpl\n  ${override}\n`
        : `${tpl}name: merged\ndeployment_type: Job\ncontainer_template: *tpl\nother: *tpl\n`;
      return { kind: 'anchors and merge keys', ext: '.yaml', content: body };
    }),
  ],
  [
    'alias bombs',
    fc.integer({ min: 4, max: 12 }).map((levels) => {
      const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
      lines.push(`name: *a${levels}`);
      return { kind: 'alias bombs', ext: '.yaml', content: `${lines.join('\n')}\n` };
    }),
  ],
  [
    'truncated files',
    fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()).map(([f, yaml]) => {
      const s = serialize(BASE, yaml);
      return { kind: 'truncated files', ext: s.ext, content: s.content.slice(0, Math.floor(s.content.length * f)) };
    }),
  ],
  [
    'binary files',
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.constantFrom('.json', '.yaml', '', '.bin')).map(([a, ext]) => ({
      kind: 'binary files',
      ext,
      content: Buffer.from(a),
    })),
  ],
  [
    'deep nesting',
    fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('json-array', 'json-object', 'yaml-flow', 'yaml-block')).map(([depth, style]) => {
      let content: string;
      let ext = '.json';
      if (style === 'json-array') content = `{"name": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
      else if (style === 'json-object') content = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      else if (style === 'yaml-flow') {
        ext = '.yaml';
        content = `name: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
      } else {
        ext = '.yaml';
        const d = Math.min(depth, 3000);
        content = Array.from({ length: d }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
      }
      return { kind: 'deep nesting', ext, content };
    }),
  ],
  [
    'junk text',
    fc.tuple(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.json(), fc.constantFrom('---\n...\n', '- a\n- b\n', '42', 'null', '"str"', '{', '}', ':', '? complex\n: key\n', 'a: b: c', '\t\tname: x', 'name: x\nname: y\n', '%YAML 9.9\n---\na: 1')), fc.constantFrom('.json', '.yaml', '.yml', '.txt')).map(
      ([content, ext]) => ({ kind: 'junk text', ext, content }),
    ),
  ],
];

const LARGE_VARIANTS = ['over-limit', 'under-limit-huge-cmd', 'many-keys', 'nested-flow-1mb'] as const;

/** Files near or over the 1 MiB limit (deterministic; heavy, so few of them). */
function largeCase(variant: (typeof LARGE_VARIANTS)[number]): Case {
  const kind = 'very large files';
  if (variant === 'over-limit') {
    const o = base();
    o.container_template.cmd = `echo ${'x'.repeat(1024 * 1024 + 10)}`;
    return { kind, ext: '.json', content: JSON.stringify(o) };
  }
  if (variant === 'under-limit-huge-cmd') {
    const o = base();
    o.container_template.cmd = `echo ${'y'.repeat(900 * 1024)}`;
    return { kind, ext: '.yaml', content: stringify(o) };
  }
  if (variant === 'many-keys') {
    const o = base() as Record<string, unknown>;
    for (let i = 0; i < 30_000; i++) o[`k${i}`] = i;
    return { kind, ext: '.json', content: JSON.stringify(o) };
  }
  // YAML flow nesting just under the size limit: the slowest input the parser is given
  const depth = 500_000;
  return { kind, ext: '.yaml', content: `name: ${'['.repeat(depth)}${']'.repeat(depth)}\n` };
}

export function generateCases(n: number, seed: number): Case[] {
  const out: Case[] = [];
  // every kind gets an equal share (the very large ones fewer: they are heavy), in round robin order
  const large = Math.max(LARGE_VARIANTS.length, Math.floor(n / 500));
  const perKind = Math.ceil((n - large) / ARBS.length);
  const samples = ARBS.map(([, arb], i) => fc.sample(arb, { numRuns: perKind, seed: seed + i }));
  samples.push(Array.from({ length: large }, (_, i) => largeCase(LARGE_VARIANTS[i % LARGE_VARIANTS.length]!)));
  for (let i = 0; out.length < n; i++) {
    let any = false;
    for (const s of samples) {
      if (i < s.length && out.length < n) {
        out.push(s[i]!);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

type Outcome = 'accepted' | 'validation_error' | 'config_error' | 'crash';

function libraryOutcome(file: string, dialect: 'private' | 'public'): { outcome: Outcome; detail?: string } {
  try {
    prepareSpec(file, { dialect });
    return { outcome: 'accepted' };
  } catch (e) {
    if (e instanceof AutodlError && (e.errorType === 'validation_error' || e.errorType === 'config_error')) {
      if (e.errorType === 'validation_error' && !(Array.isArray(e.details.errors) && e.details.errors.length > 0)) return { outcome: 'crash', detail: 'validation_error without details.errors' };
      return { outcome: e.errorType };
    }
    return { outcome: 'crash', detail: e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : String(e) };
  }
}

/** Bad command lines: each must be a config_error with exit 1, nothing sent. */
export function badArgs(file: string): string[][] {
  return [
    ['validate'],
    ['create'],
    ['validate', file, '--bogus'],
    ['--bogus-global', 'stock'],
    ['frobnicate'],
    ['stock', 'extra-arg'],
    ['submit', file, '--interval', '-5'],
    ['submit', file, '--interval', '0'],
    ['submit', file, '--interval', 'abc'],
    ['submit', file, '--interval', 'NaN'],
    ['submit', file, '--interval', 'Infinity'],
    ['submit', file, '--interval', '1e999'],
    ['submit', file, '--interval'],
    ['submit', file, '--timeout', '-1'],
    ['describe', 'x', '--events', '-1'],
    ['describe', 'x', '--events', '1.5'],
    ['describe'],
    ['scale', 'x', 'abc'],
    ['scale', 'x', '-1'],
    ['scale', 'x'],
    ['blacklist', 'add', 'c', '--expire-minutes', '0'],
    ['blacklist', 'add', 'c', '--expire-minutes', '43201'],
    ['sim', '--port', '70000'],
    ['sim', '--port', '-1'],
    ['containers', 'x', '--cpu-from', '-3'],
    ['containers', 'x', '--mem-to', 'lots'],
    ['events', 'x', '--interval', '0'],
    ['watch', '--interval', '-1'],
    ['watch', 'x', '--count', '1.5'],
    ['wait', 'x'],
    ['wait', 'x', '--for', 'running', '--timeout', '-2'],
    ['--lang', 'fr', 'stock'],
    ['--dialect', 'weird', 'stock'],
    ['cost', 'x', '--since', 'not-a-time'],
    // intervals and timeouts out of their bounds (src/util/bounds.ts)
    ['submit', file, '--interval', '3000000'],
    ['submit', file, '--interval', '1e-9'],
    ['submit', file, '--timeout', '1e12'],
    ['watch', '--interval', '3000000'],
    ['wait', 'x', '--for', 'running', '--interval', '3000000'],
    ['events', 'x', '--follow', '--interval', '1e-9'],
    ['queue', 'ls', '--watch', '--interval', '1e-9'],
    ['queue', 'run', '--once', '--interval', '3000000'],
    ['demo', '--speed', '1e9'],
  ];
}

export async function badInput(suite: Suite): Promise<Section> {
  const sec = newSection('bad-input', '1. Bad input', 'Generated configs (fast-check, seeded) through `prepareSpec` (both dialects) for volume, a stratified sample through the real CLI (`validate` and `create` against a simulator), and bad command-line arguments. Every case must be accepted or give a clean `validation_error`/`config_error` (contract JSON on stdout, exit 1, no stack trace, no hang); nothing may reach the server.');
  const { configsLib, configsCli } = suite.sizes;
  const dir = join(suite.work, 'bad-input');
  mkdirSync(dir, { recursive: true });
  const cmdLib = `${suite.rerun('bad-input')} (prepareSpec(file, {dialect}) on ${configsLib} files)`;

  // ---- library volume ----
  const cases = generateCases(configsLib, 20260701);
  const counts: Record<Outcome, number> = { accepted: 0, validation_error: 0, config_error: 0, crash: 0 };
  const byKind = new Map<string, Record<Outcome, number>>();
  const crashes: string[] = [];
  const libOutcome: Outcome[] = [];
  let slowest = 0;
  // the process's CPU time too: unlike the wall clock it does not grow while another job holds the CPU
  let slowestCpu = 0;
  const t0 = performance.now();
  cases.forEach((c, i) => {
    const file = join(dir, `case-${i}${c.ext}`);
    writeFileSync(file, c.content);
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    const r = libraryOutcome(file, i % 2 === 0 ? 'private' : 'public');
    slowest = Math.max(slowest, performance.now() - t);
    const used = process.cpuUsage(cpu0);
    slowestCpu = Math.max(slowestCpu, (used.user + used.system) / 1000);
    counts[r.outcome]++;
    libOutcome[i] = r.outcome;
    const k = byKind.get(c.kind) ?? { accepted: 0, validation_error: 0, config_error: 0, crash: 0 };
    k[r.outcome]++;
    byKind.set(c.kind, k);
    if (r.outcome === 'crash') crashes.push(`case-${i} (${c.kind}): ${r.detail}`);
  });
  const libMs = performance.now() - t0;
  check(sec, 'configs through the library: crashes (anything but validation_error/config_error)', counts.crash, counts.crash === 0, cmdLib, crashes.slice(0, 3).join('; '));
  report(sec, 'configs through the library: rejected (validation_error / config_error) / accepted', `${counts.validation_error} / ${counts.config_error} / ${counts.accepted} of ${cases.length}`, cmdLib);
  report(sec, 'library: slowest single config / all', `${slowest.toFixed(1)} ms / ${(libMs / 1000).toFixed(1)} s`, cmdLib);
  report(sec, 'library: slowest single config, CPU time', `${slowestCpu.toFixed(1)} ms`, cmdLib);
  const kindRows = [...byKind].map(([k, v]) => `| ${k} | ${v.validation_error + v.config_error + v.accepted + v.crash} | ${v.validation_error} | ${v.config_error} | ${v.accepted} | ${v.crash} |`);

  // ---- CLI sample ----
  const token = `rel-badinput-${randomBytes(12).toString('hex')}`;
  suite.secret(token);
  const sim = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: false });
  const home = join(suite.work, 'bad-input-home');
  const env = cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), AUTODL_HOST: sim.url, AUTODL_TOKEN: token, AUTODL_LANG: 'en' });
  try {
    // stratified: cases are already in round-robin order of kinds
    const sample = cases.slice(0, Math.min(configsCli, cases.length)).map((c, i) => ({ c, i }));
    const validateFailures: string[] = [];
    const createFailures: string[] = [];
    const mismatches: string[] = [];
    let createRuns = 0;
    let maxMs = 0;
    await pool(sample, suite.sizes.cliConcurrency, async ({ i }) => {
      const file = join(dir, `case-${i}${cases[i]!.ext}`);
      const dialectArgs = i % 2 === 0 ? ['--dialect', 'private'] : ['--dialect', 'public'];
      const v = await runCli(suite, [...dialectArgs, 'validate', file, '--json'], { env, timeoutMs: 20_000 });
      maxMs = Math.max(maxMs, v.ms);
      const lib = libOutcome[i]!;
      if (lib === 'accepted') {
        let ok = false;
        try {
          ok = v.code === 0 && (JSON.parse(v.stdout) as { valid?: unknown }).valid === true && !v.timedOut;
        } catch {
          ok = false;
        }
        if (!ok) validateFailures.push(`case-${i} (${cases[i]!.kind}): library accepted, CLI exit ${v.code}: ${v.stdout.slice(0, 200)} ${v.stderr.slice(0, 200)}`);
      } else {
        const why = notCleanError(v, ['validation_error', 'config_error'], 1);
        if (why) validateFailures.push(`case-${i} (${cases[i]!.kind}): ${why}`);
        else if ((JSON.parse(v.stdout) as { error_type: string }).error_type !== lib) mismatches.push(`case-${i}: library ${lib}, CLI ${(JSON.parse(v.stdout) as { error_type: string }).error_type}`);
        // create only what the library refused: it must be refused before anything is sent
        createRuns++;
        const c = await runCli(suite, [...dialectArgs, 'create', file, '--json'], { env, timeoutMs: 20_000 });
        maxMs = Math.max(maxMs, c.ms);
        const whyC = notCleanError(c, ['validation_error', 'config_error'], 1);
        if (whyC) createFailures.push(`case-${i} (${cases[i]!.kind}): ${whyC}`);
      }
    });
    const cmdV = `node dist/autodl.cjs validate <file> --json (${sample.length} files)`;
    const cmdC = `AUTODL_HOST=<sim> node dist/autodl.cjs create <file> --json (${createRuns} rejected files)`;
    check(sec, 'CLI validate: unclean results (stack trace, hang, wrong shape/exit, disagreement with the library on accept)', validateFailures.length, validateFailures.length === 0, cmdV, validateFailures.slice(0, 3).join('; '));
    check(sec, 'CLI validate: error_type differs from the library', mismatches.length, mismatches.length === 0, cmdV, mismatches.slice(0, 3).join('; '));
    check(sec, 'CLI create of rejected configs: unclean results', createFailures.length, createFailures.length === 0, cmdC, createFailures.slice(0, 3).join('; '));
    const creates = sim.stats.count('POST', '/api/v1/dev/deployment');
    check(sec, 'CLI create of rejected configs: creates received by the simulator', creates, creates === 0, cmdC);
    check(sec, 'CLI create of rejected configs: API requests of any kind received', sim.stats.total, sim.stats.total === 0, cmdC);
    report(sec, 'CLI: slowest process (validate or create)', `${Math.round(maxMs)} ms`, `${cmdV}; ${cmdC}`);

    // ---- bad arguments ----
    const okFile = join(dir, 'valid.yaml');
    writeFileSync(okFile, stringify(BASE));
    const before = sim.stats.total;
    const argFailures: string[] = [];
    const argv = badArgs(okFile);
    await pool(argv, suite.sizes.cliConcurrency, async (args) => {
      const r = await runCli(suite, [...args, '--json'], { env, timeoutMs: 20_000 });
      const why = notCleanError(r, ['config_error'], 1);
      if (why) argFailures.push(`autodl ${args.map((a) => (a === okFile ? '<valid.yaml>' : a)).join(' ')}: ${why}`);
    });
    const sent = sim.stats.total - before;
    const cmdA = `node dist/autodl.cjs <bad arguments> --json (${argv.length} command lines, listed below)`;
    check(sec, 'bad CLI arguments: not a clean config_error with exit 1', `${argFailures.length} of ${argv.length}`, argFailures.length === 0, cmdA, argFailures.join('; '));
    check(sec, 'bad CLI arguments: API requests sent', sent, sent === 0, cmdA);
    sec.extra = [
      '',
      'Outcomes by kind of generated config (library):',
      '',
      '| kind | cases | validation_error | config_error | accepted | crash |',
      '|---|---|---|---|---|---|',
      ...kindRows,
      '',
      'Bad command lines tried (each with `--json`):',
      '',
      argv.map((a) => `\`autodl ${a.map((x) => (x === okFile ? 'valid.yaml' : x)).join(' ')}\``).join(', '),
      ...(argFailures.length ? ['', 'Failures:', '', ...argFailures.map((f) => `- ${f}`)] : []),
    ].join('\n');
  } finally {
    await sim.close();
  }
  return sec;
}
