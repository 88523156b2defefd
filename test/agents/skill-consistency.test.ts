// skill/SKILL.md must stay true to the CLI: every `autodl <command> [--flags]` it shows exists
// in the CLI's help; its front matter triggers in Chinese and English; it covers every
// error_type and exit code of the contract and every MCP tool.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { EXIT } from '../../src/errors.js';
import { TOOL_NAMES } from '../../src/mcp/server.js';
import { checkInvocation, codeTexts, extractInvocations } from './skill-check.js';

const SKILL = readFileSync('skill/SKILL.md', 'utf8');

function frontMatter(text: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(m, 'SKILL.md starts with YAML front matter between --- lines');
  return parseYaml(m[1]!) as Record<string, unknown>;
}

describe('the checker itself', () => {
  it('finds invocations in spans and blocks, stops at shell operators', () => {
    const md = [
      'Run `autodl stock --json --gpu "RTX 4090"` first.',
      '```sh',
      'autodl sim --port 8765 &',
      'printenv T | autodl login --token-stdin --json < t.txt',
      '```',
      'not code: autodl nothing --here',
    ].join('\n');
    const inv = extractInvocations(md);
    assert.deepEqual(
      inv.map((i) => i.tokens),
      [['stock', '--json', '--gpu', '"RTX 4090"'], ['sim', '--port', '8765'], ['login', '--token-stdin', '--json']],
    );
    assert.equal(codeTexts(md).length, 3);
  });

  it('rejects a nonexistent flag, command or sub-command, accepts real ones', () => {
    const bad = extractInvocations(
      '`autodl stock --bogus` `autodl frobnicate` `autodl queue purge` `autodl --nope stock` `autodl submit x.yaml --timeout 5 --wait` `autodl blacklist c1 --bogus`',
    );
    const problems = bad.map(checkInvocation);
    assert.match(problems[0]!.join(), /has no option --bogus/);
    assert.match(problems[1]!.join(), /unknown command "frobnicate"/);
    assert.match(problems[2]!.join(), /unknown sub-command "queue purge"/);
    assert.match(problems[3]!.join(), /unknown global option --nope/);
    assert.match(problems[4]!.join(), /no option --wait/);
    assert.equal(problems[4]!.length, 1, 'only --wait is wrong; --timeout is a real option of submit');
    assert.match(problems[5]!.join(), /"autodl blacklist" has no option --bogus/);
    const good = extractInvocations(
      '`autodl --host http://x stock --json --gpu A` `autodl blacklist add c1 --expire-minutes 5` `autodl ls --json` `autodl blacklist c1 --comment x` `autodl blacklist`',
    );
    for (const g of good) assert.deepEqual(checkInvocation(g), [], g.source);
  });
});

describe('skill/SKILL.md', () => {
  it('has front matter with a name and a bilingual description', () => {
    const fm = frontMatter(SKILL);
    assert.equal(fm.name, 'autodl-elastic');
    const d = String(fm.description ?? '');
    assert.ok(d.length > 100 && d.length <= 1024, `description length ${d.length} (Agent Skills limit 1024)`);
    for (const k of ['AutoDL', '弹性部署', 'GPU 容器调度', '批量创建容器', '私有云部署', 'elastic deployment', 'GPU queue']) assert.ok(d.includes(k), `description mentions ${k}`);
  });

  it('mentions only commands and flags the CLI has', () => {
    const invocations = extractInvocations(SKILL);
    assert.ok(invocations.length >= 30, `found ${invocations.length} invocations`);
    const problems = invocations.flatMap(checkInvocation);
    assert.deepEqual(problems, [], `SKILL.md disagrees with the CLI:\n${problems.join('\n')}`);
  });

  it('docs/agents.md also shows only real commands and flags', () => {
    const invocations = extractInvocations(readFileSync('docs/agents.md', 'utf8'));
    assert.ok(invocations.length >= 10, `found ${invocations.length} invocations`);
    const problems = invocations.flatMap(checkInvocation);
    assert.deepEqual(problems, [], `docs/agents.md disagrees with the CLI:\n${problems.join('\n')}`);
  });

  for (const doc of ['README.md', 'docs/queue.md', 'docs/watch.md', 'docs/notifications.md']) {
    it(`${doc} also shows only real commands and flags`, () => {
      const invocations = extractInvocations(readFileSync(doc, 'utf8'));
      assert.ok(invocations.length >= 3, `found ${invocations.length} invocations`);
      const problems = invocations.flatMap(checkInvocation);
      assert.deepEqual(problems, [], `${doc} disagrees with the CLI:\n${problems.join('\n')}`);
    });
  }

  it('teaches the key commands', () => {
    const commands = new Set(extractInvocations(SKILL).map((i) => i.tokens.filter((t) => !t.startsWith('-'))[0]));
    for (const c of ['login', 'stock', 'images', 'validate', 'submit', 'deployments', 'containers', 'events', 'scale', 'stop', 'delete', 'sim', 'schema', 'mcp'])
      assert.ok(commands.has(c), `SKILL.md shows autodl ${c}`);
    assert.match(SKILL, /autodl login --token-stdin/);
    assert.match(SKILL, /--dry-run/);
  });

  it('covers every error_type of the contract', () => {
    const errorsTs = readFileSync('src/errors.ts', 'utf8');
    const union = /export type ErrorType =([\s\S]*?);/.exec(errorsTs)?.[1] ?? '';
    const types = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
    assert.ok(types.length >= 8, types.join());
    for (const ty of types) assert.ok(SKILL.includes(`| \`${ty}\` |`), `SKILL.md has a row for error_type ${ty}`);
  });

  it('states the exit codes as src/errors.ts defines them', () => {
    const line = /\*\*Exit codes\*\*:([\s\S]*?)\n\n/.exec(SKILL)?.[1] ?? '';
    assert.match(line, new RegExp(`${EXIT.ok} success`));
    assert.match(line, new RegExp(`${EXIT.validation} validation`));
    assert.match(line, new RegExp(`${EXIT.timeout} timeout`));
    assert.match(line, new RegExp(`${EXIT.runtime} API`));
    assert.match(line, new RegExp(`${EXIT.interrupted} interrupted`));
  });

  it('lists exactly the MCP tools the server registers', () => {
    const section = SKILL.slice(SKILL.indexOf('## MCP alternative'));
    const listed = [...section.matchAll(/`([a-z]+_[a-z_]+)`/g)].map((m) => m[1]!).filter((n) => !['confirm'].includes(n));
    assert.deepEqual([...new Set(listed)].sort(), [...TOOL_NAMES].sort());
  });

  it('contains no secrets: only the simulator demo token', () => {
    const tokenish = SKILL.match(/[A-Za-z0-9]{32,}/g) ?? [];
    assert.deepEqual(tokenish, []);
    assert.doesNotMatch(SKILL, /root_password"?\s*[:=]\s*"?\w/);
  });
});
