// `autodl queue`: the durable queue (docs/queue.md). The group takes `--db` and hands it to the
// subcommand that runs; each subcommand is its own file (./queue-<verb>.ts).
import { t } from '../../i18n/index.js';
import { withExamples, type CliCommand } from '../command.js';
import { declareAdd } from './queue-add.js';
import { declareCancel, EXAMPLES_CANCEL } from './queue-cancel.js';
import { declareHistory, EXAMPLES_HISTORY } from './queue-history.js';
import { declarePrune, EXAMPLES_PRUNE } from './queue-prune.js';
import { declareLs } from './queue-ls.js';
import { declarePriority } from './queue-priority.js';
import { declareRetry, EXAMPLES_RETRY } from './queue-retry.js';
import { declareRun } from './queue-run.js';
import { declareShow } from './queue-show.js';

export const command: CliCommand = {
  names: ['queue'],
  examples: [
    ['autodl queue add a.yaml b.yaml --priority 5', 'ex.queue.add'],
    ['autodl queue run --max-gpus 8 --drain', 'ex.queue.run'],
    ['autodl queue --db team.db ls --all --json', 'ex.queue.ls'],
    // the subcommands' own (each shows its part in its help; the group's help shows them all)
    ...EXAMPLES_CANCEL,
    ...EXAMPLES_RETRY,
    ...EXAMPLES_PRUNE,
    ...EXAMPLES_HISTORY,
  ],
  declare(program) {
    const queue = withExamples(program.command('queue').description(t('cmd.queue')).option('--db <path>', t('queue.opt.db')), command.examples);
    // `--db` belongs to the group; hand it to the subcommand that runs.
    queue.hook('preAction', (group, sub) => {
      const db = group.opts().db as string | undefined;
      if (db !== undefined && sub.getOptionValue('db') === undefined) sub.setOptionValue('db', db);
    });
    declareAdd(queue);
    declareLs(queue);
    declareShow(queue);
    declareCancel(queue);
    declareRetry(queue);
    declarePriority(queue);
    declarePrune(queue);
    declareHistory(queue);
    declareRun(queue);
  },
};
