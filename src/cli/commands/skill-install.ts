// `autodl skill install [--dir <path>] [--agent claude|cursor|codex]`: copy the package's
// skill/SKILL.md into an agent's skills directory and say where.
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { CliContext, Env } from '../runtime.js';
import { dirProblem, writeFileSafely } from '../../util/safe-fs.js';
import { action, groupHelp, withExamples, type CliCommand } from '../command.js';
import { Option } from 'commander';

export const SKILL_NAME = 'autodl-elastic';
export type Agent = 'claude' | 'cursor' | 'codex';

/**
 * skill/SKILL.md of the installed package. The bundle's chunks sit in dist/chunks/, the
 * sources in src/cli/commands/: walk up from this module until a directory holds
 * skill/SKILL.md beside a package.json (package.json "files" ships "skill").
 */
export function packagedSkillPath(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'skill', 'SKILL.md');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new AutodlError('config_error', t('skill.missing'), { looked_from: from });
}

/** Default skills directory of each agent (user level). */
export function defaultSkillDir(agent: Agent, env: Env): string {
  const home = env.HOME && env.HOME !== '' ? env.HOME : homedir();
  switch (agent) {
    case 'claude':
      return join(home, '.claude', 'skills', SKILL_NAME);
    case 'cursor':
      return join(home, '.cursor', 'skills', SKILL_NAME);
    case 'codex': {
      const codexHome = env.CODEX_HOME && env.CODEX_HOME !== '' ? env.CODEX_HOME : join(home, '.codex');
      return join(codexHome, 'skills', SKILL_NAME);
    }
  }
}

export interface SkillInstallOptions {
  dir?: string;
  agent: Agent;
}

export async function run(ctx: CliContext, _args: [], opts: SkillInstallOptions): Promise<void> {
  const agent = opts.agent;
  const dir = opts.dir !== undefined && opts.dir !== '' ? resolve(ctx.io.cwd, opts.dir) : defaultSkillDir(agent, ctx.env);
  const source = packagedSkillPath();
  const text = readFileSync(source, 'utf8');
  const path = join(dir, 'SKILL.md');
  const fail = (e: unknown): never => {
    if (e instanceof AutodlError) throw e;
    throw new AutodlError('config_error', t('skill.writeFailed', { path, message: (e as Error).message }), { path });
  };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    fail(e);
  }
  // never write through a link someone planted: a directory that is another user's link or open
  // to others is refused, and so is a SKILL.md that is a link (or not a regular file)
  let problem;
  try {
    problem = dirProblem(dir, false);
  } catch (e) {
    fail(e);
  }
  if (problem) {
    const reason =
      problem.reason === 'symlink_not_owned'
        ? t('skill.why.symlink')
        : problem.reason === 'not_a_directory'
          ? t('skill.why.notDir')
          : t('skill.why.open', { mode: problem.mode });
    throw new AutodlError('config_error', t('skill.dirRefused', { path: dir, reason }), { path: dir, reason: problem.reason });
  }
  let previous: string | undefined;
  let existing;
  try {
    existing = lstatSync(path);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isFile()) {
    throw new AutodlError('config_error', t('skill.linkRefused', { path }), { path, reason: existing.isSymbolicLink() ? 'symlink' : 'not_a_file' });
  }
  if (existing) {
    try {
      previous = readFileSync(path, 'utf8');
    } catch {
      previous = undefined;
    }
  }
  try {
    writeFileSafely(path, text, 0o644);
  } catch (e) {
    fail(e);
  }
  const state = previous === undefined ? 'installed' : previous === text ? 'unchanged' : 'updated';
  ctx.result({ status: 'success', agent, path, state }, () => t('skill.installed', { agent, path, state }));
}

export const command: CliCommand = {
  names: ['skill'],
  examples: [
    ['autodl skill install', 'ex.skill'],
    ['autodl skill install --agent codex', 'ex.skill.codex'],
  ],
  declare(program) {
    const skill = program.command('skill').description(t('skill.description'));
    // `autodl skill` alone: its help on stdout, exit 0
    skill.allowExcessArguments(true).action(groupHelp);
    const install = skill
      .command('install')
      .description(t('skill.install.description'))
      .option('--dir <path>', t('skill.install.dir'))
      .addOption(new Option('--agent <agent>', t('skill.install.agent')).choices(['claude', 'cursor', 'codex']).default('claude'));
    withExamples(install, command.examples).action(action(run));
  },
};
