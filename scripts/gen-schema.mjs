// Writes docs/deployment.schema.json from the zod schema (src/pipeline/schema.ts), the one
// definition of a config file. test/agents/schema-file.test.ts fails when the committed
// file differs from what this prints. Usage: node scripts/gen-schema.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

export const SCHEMA_PATH = 'docs/deployment.schema.json';

const { deploymentJsonSchema } = await tsImport('../src/pipeline/schema.ts', import.meta.url);
const text = `${JSON.stringify(deploymentJsonSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(SCHEMA_PATH, 'utf8');
  } catch {
    /* missing */
  }
  if (current !== text) {
    console.error(`${SCHEMA_PATH} is out of date: run node scripts/gen-schema.mjs`);
    process.exit(1);
  }
  console.log(`${SCHEMA_PATH} is up to date`);
} else {
  writeFileSync(SCHEMA_PATH, text);
  console.log(`wrote ${SCHEMA_PATH}`);
}
