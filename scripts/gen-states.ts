// Writes the queue's state diagram and tables (rendered from src/queue/states.ts) between the
// states markers of docs/queue.md. test/queue/states.test.ts fails when the committed text
// differs from what this writes.
// Usage: node --import tsx scripts/gen-states.ts [--check]
//   --check: write nothing; exit 1 when a file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { STATES_DOC_FILES, withStatesDoc } from '../src/queue/states-doc.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const file of STATES_DOC_FILES) {
  const before = readFileSync(file, 'utf8');
  const after = withStatesDoc(before);
  if (after === before) continue;
  stale++;
  if (check) console.error(`${file}: the states block is out of date (node --import tsx scripts/gen-states.ts)`);
  else {
    writeFileSync(file, after);
    console.log(`${file}: states block written`);
  }
}
process.exit(check && stale > 0 ? 1 : 0);
