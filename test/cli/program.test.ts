// A run declares only the command it is for (buildProgram(word)): that must change nothing
// about the command — its names, options, help — compared with the whole tree.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram, commandWord } from '../../src/cli/program.js';

function describeTree(c: Command): unknown {
  return {
    name: c.name(),
    aliases: c.aliases(),
    help: c.helpInformation(),
    sub: c.commands.map(describeTree),
  };
}

describe('buildProgram(only)', () => {
  const full = buildProgram();
  test('the whole tree has every command', () => {
    assert.ok(full.commands.length >= 25, `only ${full.commands.length} commands`);
  });
  for (const cmd of full.commands) {
    test(`${cmd.name()}: alone, it is the same command (names, options, help, subcommands)`, () => {
      for (const word of [cmd.name(), ...cmd.aliases()]) {
        const single = buildProgram(word);
        assert.equal(single.commands.length, 1, word);
        assert.deepEqual(describeTree(single.commands[0]!), describeTree(cmd), word);
      }
    });
  }
  test('an unknown word declares everything (for the "did you mean" suggestion)', () => {
    assert.equal(buildProgram('stok').commands.length, full.commands.length);
  });
});

describe('commandWord', () => {
  const cases: Array<[string[], string | undefined]> = [
    [['stock', '--json'], 'stock'],
    [['--json', '--lang', 'zh', 'stock'], 'stock'],
    [['--host', 'http://x', '--dialect=public', 'ls'], 'ls'],
    [['help', 'submit'], 'submit'],
    [['--lang=en', 'help', 'queue'], 'queue'],
    [['help'], undefined],
    [['queue', '--db', 'q.db', 'ls'], 'queue'],
    [['-h', 'stock'], undefined],
    [['--bogus', 'stock'], undefined],
    [['--', 'stock'], undefined],
    [[], undefined],
  ];
  for (const [argv, want] of cases) {
    test(`${JSON.stringify(argv)} → ${want}`, () => assert.equal(commandWord(argv), want));
  }
});
