// Filter values that cannot match (`--status runing`, `--gpu 4090`): a config_error naming the
// near matches and the valid values, instead of an empty table that looks like "nothing there".
import { AutodlError } from '../errors.js';
import { t } from '../i18n/index.js';
import { nearMatches } from '../util/near.js';

/** Deployment statuses the platform is known to report (autodl-api.md; the simulator's). */
export const KNOWN_DEPLOYMENT_STATUSES: readonly string[] = ['running', 'stopped'];

const MAX_SHOWN = 30;
const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);

export function filterError(option: string, value: string, valid: readonly string[]): AutodlError {
  const near = nearMatches(value, valid);
  const shown = valid.slice(0, MAX_SHOWN).join(', ') + (valid.length > MAX_SHOWN ? ', …' : '');
  const params = { option, value: clip(value), near: near.join(' / '), valid: shown };
  const message = near.length > 0 ? t('filter.near', params) : t('filter.none', params);
  return new AutodlError('config_error', message, { option, value: clip(value), near, valid: valid.slice(0, 100), reason: 'filter_cannot_match' });
}

/** A value that is not a known one but a typo away from one: certainly a mistake (checked before any request). */
export function isTypo(value: string, known: readonly string[]): boolean {
  return !known.includes(value) && nearMatches(value, known).length > 0;
}
