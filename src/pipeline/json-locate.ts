// A strict JSON scanner that records where each value sits, so validation errors can
// name a line. JSON.parse stays the authority for the value itself; this scanner gives
// (a) the offset of every key / array item and (b) the exact offset of a syntax error,
// which JSON.parse's message does not always carry.

import { english } from '../i18n/index.js';
import type { FieldPath } from './types.js';

export interface JsonScan {
  /** JSON.stringify(path) → offset of the key (object member) or the value (array item, root). */
  locations: Map<string, number>;
  error?: { offset: number; message: string };
}

/** Nesting deeper than this is refused (no config needs it; deep junk would blow the stack). */
export const MAX_JSON_DEPTH = 200;

/**
 * Values (object members + array items) allowed in one config: a real one has under a hundred
 * (a sweep of MAX_SWEEP_SIZE values is 1000); 30,000 junk keys cost the validator and its
 * error report a second (issue 14, §7), so more than this is refused up front.
 */
export const MAX_CONFIG_VALUES = 10_000;

class ScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

export function scanJson(text: string): JsonScan {
  const locations = new Map<string, number>();
  let i = 0;
  const n = text.length;
  let values = 0;
  const counted = (at: number) => {
    if (++values > MAX_CONFIG_VALUES) throw new ScanError(at, english('json.tooManyValues', { max: MAX_CONFIG_VALUES }));
  };

  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const describe = (at: number) => (at >= n ? english('json.end') : english('json.unexpectedChar', { char: JSON.stringify(text[at]) }));

  const str = (): string => {
    // at '"'
    const start = i;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return JSON.parse(text.slice(start, i)) as string;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === undefined) throw new ScanError(n, english('json.endInString'));
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new ScanError(i, english('json.badUnicodeEscape'));
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) i += 2;
        else throw new ScanError(i, english('json.badEscape', { escape: `\\${e}` }));
        continue;
      }
      if (c < 0x20) throw new ScanError(i, english('json.controlInString'));
      i++;
    }
    throw new ScanError(n, english('json.unterminated'));
  };

  const num = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new ScanError(i, describe(i));
    i += m[0].length;
  };

  const value = (path: (string | number)[], depth: number): void => {
    if (depth > MAX_JSON_DEPTH) throw new ScanError(i, english('json.tooDeep', { max: MAX_JSON_DEPTH }));
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      const seen = new Set<string>();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new ScanError(i, i >= n ? english('json.end') : english('json.expectedName'));
        const keyAt = i;
        counted(keyAt);
        const key = str();
        if (seen.has(key)) throw new ScanError(keyAt, english('json.duplicateKey', { key: JSON.stringify(key) }));
        seen.add(key);
        const childPath = [...path, key];
        locations.set(pathKey(childPath), keyAt);
        ws();
        if (text[i] !== ':') throw new ScanError(i, i >= n ? english('json.end') : english('json.expectedColon'));
        i++;
        value(childPath, depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw new ScanError(i, i >= n ? english('json.endMissingBrace') : english('json.expectedCommaBrace'));
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let idx = 0; ; idx++) {
        ws();
        counted(i);
        const childPath = [...path, idx];
        locations.set(pathKey(childPath), i);
        value(childPath, depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw new ScanError(i, i >= n ? english('json.endMissingBracket') : english('json.expectedCommaBracket'));
      }
    }
    if (c === '"') {
      str();
      return;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      num();
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    throw new ScanError(i, describe(i));
  };

  try {
    ws();
    locations.set(pathKey([]), i);
    value([], 0);
    ws();
    if (i < n) throw new ScanError(i, english('json.trailing'));
    return { locations };
  } catch (e) {
    if (e instanceof ScanError) return { locations, error: { offset: e.offset, message: e.message } };
    throw e;
  }
}

/** 1-based line and column of an offset. */
export function lineColAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let k = 0; k < end; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
