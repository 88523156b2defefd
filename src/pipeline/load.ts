// Load a config file (JSON or YAML) into a plain value plus a path → line map.
// Every failure is an AutodlError('config_error', …, { path, line?, column? }).

import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { english, said, saidOf, type Said } from '../i18n/index.js';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { AutodlError } from '../errors.js';
import { MAX_CONFIG_VALUES, MAX_JSON_DEPTH, pathKey, scanJson } from './json-locate.js';
import { isPlainObject, type ConfigFormat, type FieldPath, type LineOf, type LoadedConfig } from './types.js';

/** Largest config accepted, in bytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** YAML aliases allowed per document (guards against "billion laughs" alias bombs). */
export const MAX_YAML_ALIASES = 100;

/** YAML nesting (flow brackets, block indentation levels) allowed: the same bound as JSON's. */
export const MAX_YAML_DEPTH = MAX_JSON_DEPTH;

/**
 * Where a YAML text first nests deeper than `max` levels or holds more than `maxValues`
 * values, or undefined: a linear pre-check, so that hostile nesting is refused before the
 * parser (which recurses, and at 10^5 levels spends seconds or runs out of memory) ever sees
 * it, and junk by the ten thousand before the validator spends a second on it. Counted:
 * flow brackets `[` `{` outside quotes and comments (a `]` `}` closes one; an unmatched one in
 * a plain scalar counts as an opening, which only overestimates), the block indentation
 * levels open at each line; as values, every line that starts at block level and every `,`
 * in a flow collection (an overestimate too: a line of a block scalar counts).
 * No sane config comes near either bound (a real one nests 4–6 levels, holds under a hundred values).
 */
export function yamlTooComplex(
  text: string,
  max = MAX_YAML_DEPTH,
  maxValues = MAX_CONFIG_VALUES,
): { offset: number; depth: number; problem: 'depth' | 'values' } | undefined {
  let flow = 0;
  let values = 0;
  const indents: number[] = [];
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === 0x20) {
        indent++;
        continue;
      }
      if (c === 0x0d || c === 0x09) continue;
      lineStart = false;
      // every line counts, inside a flow collection too (only overestimates): a stray bracket
      // in a plain scalar must not switch the count of block levels off
      if (c !== 0x23 /* # */) {
        while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        if (indents.length > max) return { offset: i, depth: indents.length, problem: 'depth' };
        if (++values > maxValues) return { offset: i, depth: indents.length, problem: 'values' };
      }
    }
    if (c === 0x23 && (i === 0 || text.charCodeAt(i - 1) <= 0x20)) {
      // a comment: to the end of the line
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 0x0a) i++;
    } else if (c === 0x22 /* " */ || (c === 0x27 /* ' */ && (flow > 0 || i === 0 || text.charCodeAt(i - 1) <= 0x20 || text.charCodeAt(i - 1) === 0x3a))) {
      // a quoted scalar: skip to its end ("\" escapes; '' is a quote inside '…'); an apostrophe
      // inside a plain word (don't) is no quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (c === 0x22 && d === 0x5c) i++;
        else if (d === c) {
          if (c === 0x27 && text.charCodeAt(i + 1) === 0x27) i++;
          else break;
        }
      }
    } else if (c === 0x5b || c === 0x7b) {
      flow++;
      if (flow + indents.length > max) return { offset: i, depth: flow + indents.length, problem: 'depth' };
    } else if ((c === 0x5d || c === 0x7d) && flow > 0) flow--;
    else if (c === 0x2c && flow > 0 && ++values > maxValues) return { offset: i, depth: flow + indents.length, problem: 'values' };
  }
  return undefined;
}

export interface LoadTextOptions {
  /** Shown in errors; its extension picks the format when `format` is not given. */
  path?: string | undefined;
  format?: ConfigFormat | undefined;
}

/** " in <path>" after "invalid JSON", or nothing. */
function inPath(path: string | undefined): Said | string {
  return path ? said('load.inPath', { path }) : '';
}

/** "config <path>", or "config". */
function configName(path: string | undefined): Said {
  return path ? said('load.configPath', { path }) : said('load.config');
}

function configError(message: string, path: string | undefined, extra: Record<string, unknown> = {}): AutodlError {
  const details: Record<string, unknown> = {};
  if (path !== undefined) details.path = path;
  return new AutodlError('config_error', message, { ...details, ...extra });
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 0x0a) starts.push(k + 1);
  return starts;
}

function lineColOf(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

/** Which format a file is: by extension, else by its first character. */
export function detectFormat(text: string, path?: string): ConfigFormat {
  const ext = path ? extname(path).toLowerCase() : '';
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

function describeTopLevel(v: unknown): Said {
  if (v === null || v === undefined) return said('load.got.null');
  if (Array.isArray(v)) return said('load.got.list');
  return said('load.got.value', { type: typeof v });
}

function loadJson(text: string, path: string | undefined): LoadedConfig {
  const scan = scanJson(text);
  const starts = lineStartsOf(text);
  if (scan.error) {
    const { line, column } = lineColOf(starts, scan.error.offset);
    throw configError(english('load.badJsonAt', { where: inPath(path), line, column, message: saidOf(scan.error.message) }), path, { line, column });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // The scanner accepted what JSON.parse refused: should not happen; report without a position.
    throw configError(english('load.badJson', { where: inPath(path), message: (e as Error).message }), path);
  }
  const lineOf: LineOf = (p: FieldPath) => {
    const off = scan.locations.get(pathKey(p));
    return off === undefined ? undefined : lineColOf(starts, off).line;
  };
  return { raw, format: 'json', lineOf, path };
}

function yamlLineOf(doc: Document, lc: LineCounter): LineOf {
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  return (p: FieldPath) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (doc.contents as YamlNode | null)?.range?.[0];
    for (const seg of p) {
      node = resolve(node);
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
        if (!pair) return undefined;
        offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return undefined;
        offset = (item as YamlNode | null)?.range?.[0];
        node = item;
      } else return undefined;
    }
    return offset === undefined ? undefined : lc.linePos(offset).line;
  };
}

function loadYaml(text: string, path: string | undefined): LoadedConfig {
  const complex = yamlTooComplex(text);
  if (complex) {
    const { line, column } = lineColOf(lineStartsOf(text), complex.offset);
    const where = `YAML${path ? ` in ${path}` : ''}`;
    if (complex.problem === 'depth') {
      throw configError(`${where} is nested too deeply at line ${line}, column ${column} (more than ${MAX_YAML_DEPTH} levels)`, path, { line, column, max_depth: MAX_YAML_DEPTH });
    }
    throw configError(`${where} holds more than ${MAX_CONFIG_VALUES} values (fields and list items; at line ${line})`, path, { line, column, max_values: MAX_CONFIG_VALUES });
  }
  const lc = new LineCounter();
  let doc: Document;
  let raw: unknown;
  try {
    doc = parseDocument(text, { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: true, strict: true });
    const err = doc.errors[0];
    if (err) {
      const { line, col } = lc.linePos(err.pos[0]);
      const msg = err.message.split('\n')[0] ?? err.message;
      throw configError(english('load.badYamlAt', { where: inPath(path), line, column: col, message: msg }), path, { line, column: col });
    }
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    if (e instanceof AutodlError) throw e;
    if (e instanceof RangeError) throw configError(`YAML${path ? ` in ${path}` : ''} is nested too deeply`, path);
    const msg = e instanceof Error ? e.message : String(e);
    if (/alias/i.test(msg)) {
      throw configError(`YAML${path ? ` in ${path}` : ''} uses too many aliases (limit ${MAX_YAML_ALIASES}): ${msg}`, path);
    }
    throw configError(english('load.badYaml', { where: inPath(path), message: msg }), path);
  }
  return { raw, format: 'yaml', lineOf: yamlLineOf(doc, lc), path };
}

/** Parse config text. `options.path` only names the source (and picks the format by extension). */
export function loadConfigText(text: string, options: LoadTextOptions = {}): LoadedConfig {
  const { path } = options;
  if (typeof text !== 'string') throw configError('config text must be a string', path);
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    throw configError(`config${path ? ` ${path}` : ''} is larger than ${MAX_CONFIG_BYTES} bytes`, path, { max_bytes: MAX_CONFIG_BYTES });
  }
  if (text.includes('\u0000')) throw configError(english('load.binary', { config: configName(path) }), path);
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw configError(english('load.empty', { config: configName(path) }), path);
  const format = options.format ?? detectFormat(body, path);
  let loaded: LoadedConfig;
  try {
    loaded = format === 'json' ? loadJson(body, path) : loadYaml(body, path);
  } catch (e) {
    if (e instanceof AutodlError) throw e;
    // A parser blew up on hostile input (e.g. the stack): still a config error, never a crash.
    throw configError(`cannot parse config${path ? ` ${path}` : ''}: ${e instanceof Error ? e.message : String(e)}`, path);
  }
  if (!isPlainObject(loaded.raw)) {
    throw configError(english('load.notObject', { config: configName(path), got: describeTopLevel(loaded.raw) }), path, {
      line: 1,
    });
  }
  return loaded;
}

/** Read and parse a config file (.json, .yaml, .yml; other extensions are sniffed). */
export function loadConfigFile(path: string, options: { format?: ConfigFormat } = {}): LoadedConfig {
  let buf: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw configError(english('load.directory', { path }), path);
    if (!st.isFile()) throw configError(english('load.notFile', { path }), path);
    if (st.size > MAX_CONFIG_BYTES) {
      throw configError(`config ${path} is larger than ${MAX_CONFIG_BYTES} bytes (${st.size})`, path, { max_bytes: MAX_CONFIG_BYTES });
    }
    buf = readFileSync(path);
  } catch (e) {
    if (e instanceof AutodlError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw configError(english('load.notFound', { path }), path);
    if (code === 'EACCES' || code === 'EPERM') throw configError(english('load.denied', { path }), path);
    throw configError(`cannot read config file ${path}: ${code ?? (e as Error).message}`, path);
  }
  if (buf.length > MAX_CONFIG_BYTES) throw configError(`config ${path} is larger than ${MAX_CONFIG_BYTES} bytes`, path, { max_bytes: MAX_CONFIG_BYTES });
  if (buf.includes(0)) throw configError(english('load.binary', { config: configName(path) }), path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw configError(`config ${path} is not valid UTF-8 text (binary file?)`, path);
  }
  return loadConfigText(text, { path, format: options.format });
}
