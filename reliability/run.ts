// `npm run reliability`: the reliability and security figures, produced by a suite anyone
// can rerun. Writes docs/reliability.md (full scale) and exits non-zero on any correctness
// regression. Performance figures are reported, never asserted.
//
//   RELIABILITY_SCALE=full|ci   (default full; ci fits a few minutes on 2 cores)
//   RELIABILITY_ONLY=bad-input,faults,crashes,load,isolation,security,durable,hostile,duplicates,secrets   (default: all)
//   RELIABILITY_OUT=path        (default: docs/reliability.md at full scale with every
//                                section, else a file in the temp directory)
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { badInput } from './bad-input.js';
import { faults } from './faults.js';
import { crashes } from './crashes.js';
import { load } from './load.js';
import { secrets } from './secrets.js';
import { isolation } from './isolation.js';
import { security } from './security.js';
import { durable } from './durable.js';
import { hostile } from './hostile.js';
import { duplicates } from './duplicates.js';
import { ROOT, Suite, type ScaleName, type Section } from './lib.js';
import { renderReport, scanText } from './report.js';

const SECTIONS: Array<[string, (s: Suite) => Promise<Section>]> = [
  ['bad-input', badInput],
  ['faults', faults],
  ['crashes', crashes],
  ['load', load],
  ['isolation', isolation],
  ['security', security],
  ['durable', durable],
  ['hostile', hostile],
  ['duplicates', duplicates],
  // last: it searches everything the others printed and wrote
  ['secrets', secrets],
];

async function main(): Promise<number> {
  const scaleEnv = (process.env.RELIABILITY_SCALE ?? 'full').toLowerCase();
  if (scaleEnv !== 'ci' && scaleEnv !== 'full') {
    process.stderr.write(`RELIABILITY_SCALE must be ci or full, not ${scaleEnv}\n`);
    return 2;
  }
  const scale = scaleEnv as ScaleName;
  const only = (process.env.RELIABILITY_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((o) => !SECTIONS.some(([id]) => id === o));
  if (unknown.length) {
    process.stderr.write(`unknown section(s): ${unknown.join(', ')} (known: ${SECTIONS.map(([id]) => id).join(', ')})\n`);
    return 2;
  }
  const suite = new Suite(scale);
  const started = Date.now();
  suite.log(`scale ${scale}; work directory ${suite.work}`);
  const results: Section[] = [];
  for (const [id, fn] of SECTIONS) {
    if (only.length && !only.includes(id)) continue;
    const t0 = Date.now();
    suite.log(`section ${id}…`);
    try {
      results.push(await fn(suite));
    } catch (e) {
      // the suite itself failed: that is a failure of the run, reported with its cause
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      results.push({ id, title: id, intro: 'the section did not complete', figures: [{ figure: 'section completed', value: `no: ${msg}`, command: suite.rerun(id), ok: false }], failures: [`section ${id} did not complete: ${msg}`] });
      if (e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    }
    const last = results[results.length - 1]!;
    suite.log(`section ${id}: ${last.failures.length === 0 ? 'ok' : `${last.failures.length} failure(s)`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const full = only.length === 0;
  const outPath = process.env.RELIABILITY_OUT ?? (scale === 'full' && full ? join(ROOT, 'docs', 'reliability.md') : join(tmpdir(), `autodl-reliability-${scale}.md`));
  const doc = renderReport(suite, results, (Date.now() - started) / 1000);
  // the generated doc is searched for every secret before it is written
  const leaks = scanText(doc, suite.secrets);
  if (leaks > 0) {
    process.stderr.write(`the generated report contains a secret (${leaks} occurrence(s)): not written\n`);
    return 1;
  }
  writeFileSync(outPath, doc);
  const failures = results.flatMap((r) => r.failures.map((f) => `${r.title}: ${f}`));
  process.stderr.write(`\nreport: ${relative(process.cwd(), outPath) || outPath}\n`);
  if (failures.length) {
    process.stderr.write(`\n${failures.length} correctness failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  } else {
    process.stderr.write(`all correctness checks passed (${results.reduce((n, r) => n + r.figures.filter((f) => f.ok !== undefined).length, 0)} checks)\n`);
  }
  if (!process.env.RELIABILITY_KEEP) rmSync(suite.work, { recursive: true, force: true });
  else process.stderr.write(`work directory kept: ${suite.work}\n`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
