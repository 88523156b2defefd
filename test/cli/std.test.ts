// The CLI writes its output straight to the descriptor while no stream is needed
// (src/cli/std.ts): what a pipe or a file receives is all of it, in order, the same as before;
// a reader that has gone away is a normal end (exit 0, no stack trace).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, childEnv, emptyDir, ensureBuilt, ROOT, runCli } from './helpers.js';

const EXAMPLE = join(ROOT, 'examples', 'train-job.yaml');

describe('stdout and stderr written to the descriptor', () => {
  test('a pipe and a file receive the same, complete output (a result, a warning, a large document)', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'autodl-std-'));
    try {
      // a dc_list in the private dialect is dropped with a warning: stderr gets a line too
      const warns = join(dir, 'warns.yaml');
      writeFileSync(warns, `${readFileSync(EXAMPLE, 'utf8')}\n`.replace('container_template:\n', 'container_template:\n  dc_list: [westDC2]\n'));
      for (const args of [['validate', EXAMPLE, '--json'], ['schema'], ['create', warns, '--dry-run', '--json']]) {
        const piped = await runCli(args);
        assert.equal(piped.code, 0, piped.stderr);
        const outFile = join(dir, 'out');
        const errFile = join(dir, 'err');
        const out = openSync(outFile, 'w');
        const err = openSync(errFile, 'w');
        const child = spawn(process.execPath, [CLI, ...args], { cwd: emptyDir(), env: childEnv({}), stdio: ['ignore', out, err] });
        const code = await new Promise<number | null>((res) => child.on('close', res));
        closeSync(out);
        closeSync(err);
        assert.equal(code, 0);
        assert.equal(readFileSync(outFile, 'utf8'), piped.stdout, args.join(' '));
        assert.equal(readFileSync(errFile, 'utf8'), piped.stderr, args.join(' '));
        assert.ok(piped.stdout.endsWith('\n'));
        JSON.parse(piped.stdout); // one whole JSON document
      }
      const warned = await runCli(['create', warns, '--dry-run', '--json']);
      assert.match(warned.stderr, /"type":"warning".*dc_list_dropped/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a reader that has closed the pipe: exit 0, nothing on stderr', async () => {
    ensureBuilt();
    for (const args of [['schema'], ['validate', EXAMPLE, '--json']]) {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: emptyDir(), env: childEnv({}), stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdout.destroy(); // gone before the CLI writes a byte
      const r = await collectStderr(child);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '');
    }
  });
});

async function collectStderr(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.end();
  const code = await new Promise<number | null>((res) => child.on('close', res));
  return { code, stderr };
}

