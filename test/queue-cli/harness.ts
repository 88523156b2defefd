// The shared set-up of the queue CLI's end-to-end files: one in-process simulator for the file
// (reset before each test), fresh queue database paths, and the token check at the end.
import { after, before, beforeEach } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTokenNeverPrinted, ensureBuilt, startSim, type SimHandle } from '../cli/helpers.js';
import { dropPgDatabases } from '../queue/pg-helpers.js';

export interface QueueCliHarness {
  /** The file's simulator (set once `before` has run). */
  readonly sim: SimHandle;
  /** A fresh queue database path in a directory removed at the end. */
  newDb(): string;
}

export function queueCliHarness(prefix = 'autodl-queue-cli-'): QueueCliHarness {
  let sim: SimHandle | undefined;
  const dirs: string[] = [];
  before(async () => {
    ensureBuilt();
    sim = await startSim();
  });
  after(async () => {
    await dropPgDatabases();
    await sim?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    assertTokenNeverPrinted();
  });
  beforeEach(() => {
    sim!.world.reset();
    sim!.faults.clear();
  });
  return {
    get sim() {
      return sim!;
    },
    newDb() {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return join(d, 'queue.db');
    },
  };
}
