// Argument parsers for commander options. Light on purpose: main.ts imports this at top
// level. A parser throws commander's InvalidArgumentError, which the top-level handler
// turns into a config_error (exit 1).
import { InvalidArgumentError } from 'commander';
import { t } from '../i18n/index.js';
import { INTERVAL_MAX_S, INTERVAL_MIN_S, SPEED_MAX, TIMEOUT_MAX_S } from '../util/bounds.js';
import { parseDuration } from '../util/time.js';

function num(value: string): number {
  const s = value.trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(t('arg.notNumber', { value }));
  return n;
}

/** A number > 0; fractions allowed (e.g. --interval 0.5). */
export function positiveNumber(value: string): number {
  const n = num(value);
  if (n <= 0) throw new InvalidArgumentError(t('arg.notPositive', { value }));
  return n;
}

/** A number >= 0; fractions allowed (e.g. --timeout 0 = none). */
export function nonNegativeNumber(value: string): number {
  const n = num(value);
  if (n < 0) throw new InvalidArgumentError(t('arg.negative', { value }));
  return n;
}

/** A duration in seconds, as people write it: `30`, `0.5`, `90s`, `10m`, `1h`, `2d` (src/util/time.ts). */
export function durationSeconds(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError(t('arg.notDuration', { value }));
  return ms / 1000;
}

/** Seconds between polls: INTERVAL_MIN_S … INTERVAL_MAX_S (src/util/bounds.ts); any duration form. */
export function intervalSeconds(value: string): number {
  const n = durationSeconds(value);
  if (n < INTERVAL_MIN_S || n > INTERVAL_MAX_S) throw new InvalidArgumentError(t('arg.outOfRange', { value, min: INTERVAL_MIN_S, max: INTERVAL_MAX_S }));
  return n;
}

/** A timeout in seconds: 0 (no limit) … TIMEOUT_MAX_S (30 days); any duration form. */
export function timeoutSeconds(value: string): number {
  const n = durationSeconds(value);
  if (n > TIMEOUT_MAX_S) throw new InvalidArgumentError(t('arg.timeoutTooLarge', { value, max: TIMEOUT_MAX_S }));
  return n;
}

/** A delay in seconds: 0 … INTERVAL_MAX_S (one day); any duration form. */
export function delaySeconds(value: string): number {
  const n = durationSeconds(value);
  if (n > INTERVAL_MAX_S) throw new InvalidArgumentError(t('arg.tooLarge', { value, max: INTERVAL_MAX_S }));
  return n;
}

/** The simulator's clock speed: > 0 … SPEED_MAX. */
export function speed(value: string): number {
  const n = positiveNumber(value);
  if (n > SPEED_MAX) throw new InvalidArgumentError(t('arg.tooLarge', { value, max: SPEED_MAX }));
  return n;
}

/** A whole number >= 0. */
export function nonNegativeInt(value: string): number {
  const n = num(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(t('arg.notInteger', { value }));
  if (n < 0) throw new InvalidArgumentError(t('arg.negative', { value }));
  return n;
}

/** A whole number >= 1. */
export function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n < 1) throw new InvalidArgumentError(t('arg.notPositive', { value }));
  return n;
}

/** A TCP port 0..65535. */
export function port(value: string): number {
  const n = nonNegativeInt(value);
  if (n > 65535) throw new InvalidArgumentError(t('arg.tooLarge', { value, max: 65535 }));
  return n;
}

/** Expiry of a blacklist entry: 1..43200 minutes. */
export function expireMinutes(value: string): number {
  const n = positiveInt(value);
  if (n > 43200) throw new InvalidArgumentError(t('arg.tooLarge', { value, max: 43200 }));
  return n;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
