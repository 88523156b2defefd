// The `autodl` executable (built to dist/autodl.cjs). Nearly empty on purpose: `autodl
// --help` and `autodl --version` are answered from text rendered at build time without
// loading commander; everything else goes to the full CLI (dist/cli.cjs, one CommonJS
// bundle, compiled from V8's code cache when it fits: see ./load.ts).
import { fstatSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fastOutput, type HelpData } from './fast.js';
import { loadWithCodeCache } from './load.js';

declare const __AUTODL_HELP__: HelpData;

/** The terminal's width, or undefined when stdout is no terminal (as commander decides). */
function columns(): number | undefined {
  // process.stdout is only touched for a character device: building it for a pipe costs
  // more than everything else here (/dev/null is a character device too, and cheap)
  try {
    if (!fstatSync(1).isCharacterDevice()) return undefined;
  } catch {
    return undefined;
  }
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

const out = fastOutput(process.argv.slice(2), process.env, columns(), __AUTODL_HELP__);
if (out !== undefined) {
  // Straight to fd 1: touching process.stdout builds a stream (for a pipe, a whole socket),
  // which costs more than the rest of this path. A non-blocking stdout that is full gets
  // the remainder through the stream after all.
  const bytes = Buffer.from(out);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch (e) {
    // a closed pipe (`autodl --help | head -1`) is the reader's choice, not an error
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') process.stdout.write(bytes.subarray(done));
  }
} else {
  loadWithCodeCache(join(__dirname, 'cli.cjs'));
}
