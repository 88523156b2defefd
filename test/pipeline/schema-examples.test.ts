import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEMO_IMAGE_UUID } from '../../src/sim/presets.js';
import { ConfigFileSchema, deploymentJsonSchema, expandSweep, lint, loadConfigFile, prepareSpec } from '../../src/pipeline/index.js';

const EXAMPLES = 'examples';
const files = readdirSync(EXAMPLES).filter((f) => /\.(json|ya?ml)$/.test(f));

type JsonSchemaNode = { description?: string; properties?: Record<string, JsonSchemaNode>; required?: string[]; additionalProperties?: unknown };

describe('deploymentJsonSchema', () => {
  const schema = deploymentJsonSchema() as JsonSchemaNode & { $schema?: string; title?: string };
  it('is generated from the zod schema, strict, with required fields', () => {
    assert.match(schema.$schema ?? '', /json-schema\.org/);
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual([...(schema.required ?? [])].sort(), ['container_template', 'deployment_type', 'name']);
    const tpl = schema.properties?.container_template;
    assert.equal(tpl?.additionalProperties, false);
    for (const k of ['gpu_name_set', 'gpu_num', 'image_uuid', 'cmd']) assert.ok(tpl?.required?.includes(k), k);
    // every zod field appears in the JSON Schema: the two are one definition
    assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), Object.keys(ConfigFileSchema.shape).sort());
    assert.deepEqual(Object.keys(tpl?.properties ?? {}).sort(), Object.keys(ConfigFileSchema.shape.container_template.shape).sort());
  });
  it('describes every field, with units', () => {
    const tpl = schema.properties?.container_template?.properties ?? {};
    for (const [k, v] of Object.entries({ ...schema.properties, ...tpl })) assert.ok(v.description && v.description.length > 10, `${k} has a description`);
    assert.match(tpl.memory_size_from?.description ?? '', /GB/);
    assert.match(tpl.price_to?.description ?? '', /milli-yuan per hour/);
    assert.match(tpl.cuda_v?.description ?? '', /118 = CUDA 11\.8/);
    assert.deepEqual((tpl.cuda_v as { enum?: number[] }).enum?.includes(118), true);
  });
});

describe('examples', () => {
  it('the required examples exist in JSON and YAML', () => {
    for (const stem of ['replicaset-service', 'train-job', 'debug-container']) {
      assert.ok(files.includes(`${stem}.json`), `${stem}.json`);
      assert.ok(files.includes(`${stem}.yaml`), `${stem}.yaml`);
    }
  });
  for (const f of files) {
    it(`${f}: references the schema, validates against the zod schema, lints clean`, () => {
      const path = join(EXAMPLES, f);
      const text = readFileSync(path, 'utf8');
      if (f.endsWith('.json')) assert.equal((JSON.parse(text) as { $schema?: string }).$schema, '../docs/deployment.schema.json');
      else assert.match(text.split('\n')[0] ?? '', /^# yaml-language-server: \$schema=\.\.\/docs\/deployment\.schema\.json$/);
      const loaded = loadConfigFile(path);
      const parsed = ConfigFileSchema.safeParse(loaded.raw);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      const r = prepareSpec(path, { dialect: 'private', strict: true });
      assert.equal(r.body.container_template.image_uuid, DEMO_IMAGE_UUID, 'the simulator demo image');
      assert.deepEqual(lint(r.body), []);
      if (r.sweep) assert.ok(expandSweep(r.body, r.sweep).length > 1);
    });
  }
  it('each JSON example and its YAML twin give the same body', () => {
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      const twin = f.replace(/\.json$/, '.yaml');
      if (!files.includes(twin)) continue;
      assert.deepEqual(prepareSpec(join(EXAMPLES, f), { dialect: 'private' }).body, prepareSpec(join(EXAMPLES, twin), { dialect: 'private' }).body, f);
    }
  });
  it('the example kinds are what they say', () => {
    const kind = (f: string) => prepareSpec(join(EXAMPLES, f), { dialect: 'private' }).body;
    assert.equal(kind('replicaset-service.yaml').deployment_type, 'ReplicaSet');
    const job = kind('train-job.yaml');
    assert.equal(job.deployment_type, 'Job');
    assert.ok((job.parallelism_num ?? 0) >= 1 && (job.parallelism_num ?? 0) <= (job.replica_num ?? 0));
    const dbg = kind('debug-container.yaml');
    assert.equal(dbg.deployment_type, 'Container');
    assert.equal(dbg.container_template.cmd, 'sleep infinity');
  });
});
