// `autodl sim` entry: argument parsing, runSimCommand, and main.ts as a process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { parseSimArgs, SimArgsError } from '../../src/sim/main.js';
import { runSimCommand } from '../../src/sim/index.js';

test('parseSimArgs', () => {
  assert.deepEqual(parseSimArgs(['--port', '0', '--token', 'T', '--token', 'T2', '--dialect', 'public', '--speed', '10', '--manual', '--seed', '5', '--no-background']), {
    port: 0,
    tokens: ['T', 'T2'],
    dialect: 'public',
    manual: true,
    speed: 10,
    seed: 5,
    backgroundLoad: false,
  });
  assert.deepEqual(parseSimArgs([]), { port: 0, tokens: [], dialect: 'private', manual: false, backgroundLoad: true });
  for (const bad of [['--dialect', 'cn'], ['--port', 'x'], ['--speed', '0'], ['--seed', '1.5'], ['--what']]) {
    assert.throws(() => parseSimArgs(bad), SimArgsError, bad.join(' '));
  }
});

test('runSimCommand prints the URL first on stdout, never a user token', async () => {
  const out: string[] = [];
  const err: string[] = [];
  let stop!: () => void;
  const until = new Promise<void>((r) => (stop = r));
  let firstLine!: (u: string) => void;
  const gotUrl = new Promise<string>((r) => (firstLine = r));
  const done = runSimCommand(
    { port: 0, tokens: ['secret-user-token-123'], dialect: 'public', manual: true, backgroundLoad: false },
    {
      stdout: (l) => {
        out.push(l);
        firstLine(l);
      },
      stderr: (l) => err.push(l),
      until,
    },
  );
  const url = await gotUrl;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${url}/api/v1/dev/machine/gpu_stock`, { headers: { authorization: 'secret-user-token-123' } });
  const j = (await res.json()) as { code: string; request_id?: string };
  assert.equal(j.code, 'Success');
  assert.equal(typeof j.request_id, 'string');
  stop();
  await done;
  assert.deepEqual(out, [url]);
  const all = err.join('\n');
  assert.ok(!all.includes('secret-user-token-123'));
  assert.match(all, /stopped/);
  await assert.rejects(fetch(`${url}/__sim/clock`), 'closed after stop');
});

test('main.ts runs as a process and exits cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/main.ts', '--port', '0', '--token', 'T-secret', '--manual', '--no-background'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`exited early: ${code} ${stderr}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const r = await fetch(`${url}/api/v1/dev/machine/gpu_stock`, { headers: { authorization: 'T-secret' } });
  assert.equal(r.status, 200);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.ok(!stderr.includes('T-secret'));
});
