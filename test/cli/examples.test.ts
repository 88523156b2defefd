// Every command is one file with its help's Examples section (src/cli/command.ts): each
// top-level command has examples, its help shows them in both languages, and every example is
// a command line the CLI accepts (the same checker that holds skill/SKILL.md to the CLI).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, commandWord } from '../../src/cli/program.js';
import { catalogs } from '../../src/i18n/index.js';
import { checkInvocation, extractInvocations } from '../agents/skill-check.js';
import { ensureBuilt, runCli } from './helpers.js';

before(() => ensureBuilt());

describe('every command shows examples', () => {
  for (const c of COMMANDS) {
    const word = c.names[0]!;
    test(`${word}: examples that the CLI accepts, shown in its help in en and zh`, async () => {
      assert.ok(c.examples.length >= 1, `${word} has an example`);
      for (const [line] of c.examples) {
        const inv = extractInvocations(`\`${line}\``);
        assert.equal(inv.length, 1, `${line}: one autodl invocation`);
        assert.ok(c.names.includes(commandWord(inv[0]!.tokens) ?? ''), `${line}: an example of ${word}`);
        assert.deepEqual(checkInvocation(inv[0]!), [], line);
      }
      for (const lang of ['en', 'zh'] as const) {
        const r = await runCli(['--lang', lang, word, ...(word === 'skill' ? ['install'] : []), '--help']);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdout.includes(catalogs[lang]['help.examples']), `${word} --help (${lang}) has the Examples heading`);
        for (const [line, caption] of c.examples) {
          assert.ok(r.stdout.includes(`$ ${line}`), `${word} --help (${lang}) shows ${line}`);
          assert.ok(r.stdout.includes(catalogs[lang][caption]), `${word} --help (${lang}) shows the caption of ${line}`);
        }
      }
    });
  }
});
