// fast-check generators of config bodies, shared by the property tests (property.test.ts,
// quick.test.ts).
import fc from 'fast-check';
import { clone, SEED_BODY } from './helpers.js';

const FIELDS = [
  'name',
  'deployment_type',
  'replica_num',
  'parallelism_num',
  'reuse_container',
  'reuse_container_scope',
  'sweep',
  '$schema',
  'container_template',
];
const TPL_FIELDS = [
  'gpu_name_set',
  'gpu_num',
  'cuda',
  'cuda_v',
  'cuda_v_from',
  'cuda_v_to',
  'dc_list',
  'cpu_num_from',
  'cpu_num_to',
  'memory_size_from',
  'memory_size_to',
  'price_from',
  'price_to',
  'image_uuid',
  'cmd',
  'cmd_before_shutdown',
  'service_6006_port_protocol',
  'service_6008_port_protocol',
];

/** Plausible-looking junk values for config fields. */
export const junkValue = fc.oneof(
  fc.anything(),
  fc.integer({ min: -5, max: 300 }),
  fc.double(),
  fc.constantFrom('ReplicaSet', 'Job', 'Container', 'all', 'deployment', 'http', 'tcp', '11.8', '12.1', 'westDC2', '', ' ', 'a && b || c', 'x &'),
  fc.constantFrom(111, 118, 122, 128, 119, 0, -1, 1.5, 5_000_000_000),
  fc.array(fc.oneof(fc.string(), fc.constantFrom('RTX 4090', 'RTX 4090 D', 'westDC2')), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }), { maxKeys: 3 }),
);

/** The seed body with a few fields replaced, deleted or added. */
export const mutatedBody = fc
  .record({
    top: fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), fc.option(junkValue, { nil: undefined }), { maxKeys: 3 }),
    tpl: fc.dictionary(fc.oneof(fc.constantFrom(...TPL_FIELDS), fc.string({ maxLength: 8 })), fc.option(junkValue, { nil: undefined }), { maxKeys: 4 }),
  })
  .map(({ top, tpl }) => {
    const b = clone(SEED_BODY) as Record<string, unknown> & { container_template: Record<string, unknown> };
    for (const [k, v] of Object.entries(tpl)) {
      if (v === undefined) delete b.container_template[k];
      else Object.defineProperty(b.container_template, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    for (const [k, v] of Object.entries(top)) {
      if (v === undefined) delete b[k];
      else Object.defineProperty(b, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return b;
  });
