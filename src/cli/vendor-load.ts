// dist/cli.cjs's `zod` and `yaml`: dist/vendor.cjs (./vendor.ts), loaded on first use with its
// code cache, once per process.
import { join } from 'node:path';
import { loadWithCodeCache } from './load.js';

type Vendor = typeof import('./vendor.js');
let vendor: Vendor | undefined;

export function loadVendor(): Vendor {
  // __dirname: the directory of dist/cli.cjs, which holds vendor.cjs
  return (vendor ??= loadWithCodeCache(join(__dirname, 'vendor.cjs')).exports as Vendor);
}
