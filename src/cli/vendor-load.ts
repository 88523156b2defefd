// dist/cli.cjs's `zod` and `yaml`: dist/vendor-zod.cjs and dist/vendor-yaml.cjs
// (./vendor-zod.ts, ./vendor-yaml.ts), each loaded with its code cache on the first use of one
// of its exports (the shims scripts/build.mjs makes define each export as a getter that calls
// this), once per process.
import { join } from 'node:path';
import { loadWithCodeCache } from './load.js';

export type VendorName = 'zod' | 'yaml';
const loaded: Partial<Record<VendorName, Record<string, unknown>>> = {};

export function loadVendor(name: VendorName): Record<string, unknown> {
  // __dirname: the directory of dist/cli.cjs, which holds the vendor bundles
  return (loaded[name] ??= loadWithCodeCache(join(__dirname, `vendor-${name}.cjs`)).exports as Record<string, unknown>);
}
