// The operations' error words (src/ops/words.ts) in the CLI's language, from the catalog.
import { inLang, t } from '../i18n/index.js';
import type { OpsWords } from '../ops/words.js';

export const cliWords: OpsWords = {
  deploymentNotFound: (ref) => t('error.deploymentNotFound', { ref }),
  ambiguousName: (ref) => t('error.ambiguousName', { ref }),
  regionBoth: () => t('error.regionBoth'),
  regionDialect: () => t('error.regionDialect'),
  sweepRefused: (source) => t('cli.sweepRefused', { source }),
  notResolved: (ref) => t('dryRun.notResolved', { ref }),
  waitUnreachable: (uuid, condition, reason) => t('wait.unreachable', { uuid, condition, reason: inLang(reason) }),
  waitTimeout: (uuid, condition, seconds) => t('wait.timeout', { uuid, condition, seconds }),
  waitInterrupted: () => t('wait.interrupted'),
  waitBadCondition: (value) => t('wait.badCondition', { value }),
  nameTooLongMarked: (name, length, marked, limit) => t('error.nameTooLongMarked', { name, length, marked, limit, max: limit - 10 }),
  ambiguousRef: (ref, candidates) => t('error.ambiguousRef', { ref, candidates }),
  entryNoDeployment: (id, state) => t('error.entryNoDeployment', { id, state }),
  queueIgnored: () => t('config.queueIgnored'),
};
