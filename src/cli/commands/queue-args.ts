// Argument parsers of the queue commands. Tiny on purpose: main.ts imports it at top level
// (commander and the message catalog only; never the store or the SDK).
import { InvalidArgumentError } from 'commander';
import { t } from '../../i18n/index.js';

/** A whole number, negative allowed (priorities). */
export function integerArg(value: string): number {
  const s = value.trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(t('arg.notNumber', { value }));
  if (!Number.isInteger(n)) throw new InvalidArgumentError(t('arg.notInteger', { value }));
  return n;
}

/** A repeatable `--param name=v1,v2` (kept raw; the sweep command validates it). */
export function paramArg(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
