// `autodl blacklist`: the host blacklist. `blacklist <container>` adds, `blacklist` alone
// lists; `blacklist add|ls` say it outright (./blacklist-add.ts, ./blacklist-ls.ts).
import { t } from '../../i18n/index.js';
import { expireMinutes } from '../args.js';
import { action, dryRunOption, withExamples, type CliCommand } from '../command.js';
import { declareAdd, run as runAdd, type BlacklistAddOptions } from './blacklist-add.js';
import { declareLs, run as runLs } from './blacklist-ls.js';

const listOrAdd = action(async (ctx, [container]: [string | undefined], opts: BlacklistAddOptions) =>
  container === undefined ? runLs(ctx) : runAdd(ctx, [container], opts),
);

export const command: CliCommand = {
  names: ['blacklist'],
  examples: [
    ['autodl blacklist', 'ex.blacklist.ls'],
    ['autodl blacklist add <container> --comment "bad GPU" --expire-minutes 1440', 'ex.blacklist.add'],
  ],
  declare(program) {
    const blacklist = withExamples(
      program
        .command('blacklist')
        .description(t('cmd.blacklist'))
        .argument('[container]', t('cmd.blacklist.arg'))
        .option('--comment <text>', t('cmd.blacklist.comment'))
        .option('--expire-minutes <n>', t('cmd.blacklist.expire'), expireMinutes)
        .addOption(dryRunOption()),
      command.examples,
    ).action(listOrAdd);
    // the group parses these options wherever they stand: hand them to `add`
    blacklist.hook('preAction', (group, sub) => {
      if (sub === group) return;
      for (const key of ['comment', 'expireMinutes', 'dryRun']) {
        const v: unknown = group.getOptionValue(key);
        if (v !== undefined && sub.getOptionValue(key) === undefined) sub.setOptionValue(key, v);
      }
    });
    declareLs(blacklist);
    declareAdd(blacklist);
  },
};
