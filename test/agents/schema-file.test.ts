// docs/deployment.schema.json is generated from the zod schema (scripts/gen-schema.mjs) and
// must not drift from it; every file in examples/ validates against it with ajv (the same
// check an editor does through `$schema`).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { deploymentJsonSchema } from '../../src/pipeline/index.js';

const SCHEMA_PATH = join('docs', 'deployment.schema.json');
const committed = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;

function compile() {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  return ajv.compile(committed);
}

function load(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

describe('docs/deployment.schema.json', () => {
  it('equals the schema generated from src/pipeline/schema.ts', () => {
    const generated = `${JSON.stringify(deploymentJsonSchema(), null, 2)}\n`;
    assert.ok(
      readFileSync(SCHEMA_PATH, 'utf8') === generated,
      `${SCHEMA_PATH} is out of date with src/pipeline/schema.ts: run \`node scripts/gen-schema.mjs\` and commit the file`,
    );
  });

  it('documents units: GB, milli-yuan per hour, CUDA codes', () => {
    const text = readFileSync(SCHEMA_PATH, 'utf8');
    assert.match(text, /in GB \(not bytes\)/);
    assert.match(text, /milli-yuan per hour/);
    assert.match(text, /118 = CUDA 11\.8/);
  });

  it('compiles with ajv (strict) and rejects bad configs', () => {
    const validate = compile();
    const good = load(join('examples', 'train-job.json')) as Record<string, unknown>;
    assert.equal(validate(good), true, JSON.stringify(validate.errors));
    const tpl = good.container_template as Record<string, unknown>;
    const bad: Array<[string, unknown]> = [
      ['unknown top-level field', { ...good, replicas: 2 }],
      ['wrong deployment_type', { ...good, deployment_type: 'Deployment' }],
      ['unknown CUDA code', { ...good, container_template: { ...tpl, cuda_v: 119 } }],
      ['empty gpu_name_set', { ...good, container_template: { ...tpl, gpu_name_set: [] } }],
      ['missing image_uuid', { ...good, container_template: { ...tpl, image_uuid: undefined } }],
      ['memory not a whole number', { ...good, container_template: { ...tpl, memory_size_from: 1.5 } }],
    ];
    for (const [what, cfg] of bad) {
      const clean = JSON.parse(JSON.stringify(cfg)) as unknown;
      assert.equal(validate(clean), false, `ajv accepts a config with ${what}`);
    }
  });
});

describe('examples/ against docs/deployment.schema.json', () => {
  const files = readdirSync('examples').filter((f) => /\.(json|ya?ml)$/.test(f));
  it('there are examples to check', () => assert.ok(files.length >= 6, files.join(', ')));
  const validate = compile();
  for (const f of files) {
    it(`${f} is valid and references the schema`, () => {
      const path = join('examples', f);
      const doc = load(path);
      assert.equal(validate(doc), true, `${f}: ${JSON.stringify(validate.errors, null, 2)}`);
      const text = readFileSync(path, 'utf8');
      assert.ok(text.includes('../docs/deployment.schema.json'), `${f} does not reference the schema via $schema`);
    });
  }
});
