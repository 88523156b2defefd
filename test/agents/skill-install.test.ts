// `autodl skill install`: copies the packaged skill/SKILL.md into an agent's skills directory.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, json, runCli, tempHome } from '../cli/helpers.js';

const SKILL = readFileSync(join(ROOT, 'skill', 'SKILL.md'), 'utf8');

describe('autodl skill install', () => {
  it('defaults to ~/.claude/skills/autodl-elastic/SKILL.md and says where', async () => {
    const home = tempHome();
    try {
      const r = await runCli(['skill', 'install', '--json'], { home });
      assert.equal(r.code, 0, r.stderr);
      const out = json<{ status: string; agent: string; path: string; state: string }>(r);
      const expected = join(home.dir, '.claude', 'skills', 'autodl-elastic', 'SKILL.md');
      assert.deepEqual(out, { status: 'success', agent: 'claude', path: expected, state: 'installed' });
      assert.equal(readFileSync(expected, 'utf8'), SKILL);
      const again = json<{ state: string }>(await runCli(['skill', 'install', '--json'], { home }));
      assert.equal(again.state, 'unchanged');
      writeFileSync(expected, 'old');
      const updated = json<{ state: string }>(await runCli(['skill', 'install', '--json'], { home }));
      assert.equal(updated.state, 'updated');
      assert.equal(readFileSync(expected, 'utf8'), SKILL);
    } finally {
      home.cleanup();
    }
  });

  it('cursor and codex defaults; CODEX_HOME is honoured', async () => {
    const home = tempHome();
    try {
      const cursor = json<{ path: string }>(await runCli(['skill', 'install', '--agent', 'cursor', '--json'], { home }));
      assert.equal(cursor.path, join(home.dir, '.cursor', 'skills', 'autodl-elastic', 'SKILL.md'));
      const codex = json<{ path: string }>(await runCli(['skill', 'install', '--agent', 'codex', '--json'], { home }));
      assert.equal(codex.path, join(home.dir, '.codex', 'skills', 'autodl-elastic', 'SKILL.md'));
      const codexHome = join(home.dir, 'ch');
      const custom = json<{ path: string }>(await runCli(['skill', 'install', '--agent', 'codex', '--json'], { home, env: { CODEX_HOME: codexHome } }));
      assert.equal(custom.path, join(codexHome, 'skills', 'autodl-elastic', 'SKILL.md'));
      for (const p of [cursor.path, codex.path, custom.path]) assert.equal(readFileSync(p, 'utf8'), SKILL);
    } finally {
      home.cleanup();
    }
  });

  it('--dir writes there (relative to the working directory)', async () => {
    const home = tempHome();
    const cwd = mkdtempSync(join(tmpdir(), 'autodl-skill-cwd-'));
    try {
      const r = json<{ path: string }>(await runCli(['skill', 'install', '--dir', '.claude/skills/autodl-elastic', '--json'], { home, cwd }));
      assert.equal(r.path, join(cwd, '.claude', 'skills', 'autodl-elastic', 'SKILL.md'));
      assert.equal(readFileSync(r.path, 'utf8'), SKILL);
      assert.equal(existsSync(join(home.dir, '.claude')), false, 'the default location was not touched');
    } finally {
      home.cleanup();
    }
  });

  it('an unknown agent is a config_error (exit 1)', async () => {
    const r = await runCli(['skill', 'install', '--agent', 'vim', '--json']);
    assert.equal(r.code, 1);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
  });

  it('a directory that cannot be written is a config_error', async () => {
    const home = tempHome();
    try {
      const file = join(home.dir, 'a-file');
      writeFileSync(file, 'x');
      const r = await runCli(['skill', 'install', '--dir', join(file, 'sub'), '--json'], { home });
      assert.equal(r.code, 1);
      assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
    } finally {
      home.cleanup();
    }
  });
});
