// The queue's operations shared by both faces (the CLI's `autodl queue …`, MCP's queue_* tools):
// the name rule of what the queue sends, adding, listing, showing, cancelling, and what a
// worker would do now (`queue run --dry-run`). The store and the API are given; nothing here
// prints.
import { AutodlError } from '../errors.js';
import { DEPLOYMENT_NAME_LIMIT, MARK_LENGTH, MARK_RULE, markedNameProblem } from '../queue/ids.js';
import { ENGLISH, type OpsWords } from './words.js';

/**
 * Every name must fit the platform's limit once marked (`<name>-q<tag>`): a config_error naming
 * the limit and the marked length otherwise (details: name, limit, marked_length, mark_length,
 * and `names` when several are too long), before anything is stored or sent.
 */
export function checkQueuedNames(names: readonly string[], words: OpsWords = ENGLISH): void {
  const long = names.map((n) => markedNameProblem(n)).filter((p) => p !== undefined);
  const first = long[0];
  if (!first) return;
  throw new AutodlError('config_error', words.nameTooLongMarked(first.name, first.name.length, first.marked_length, first.limit), {
    path: 'name',
    ...first,
    ...(long.length > 1 ? { names: long.map((p) => ({ name: p.name, marked_length: p.marked_length })) } : {}),
  });
}

/** How a queued name is sent, as a preview shows it: the marked name (its tag is the entry's, unknown before it is added), the rule, the lengths. */
export interface MarkedName {
  /** `<name>-q` and 8 `#`: exactly as long as the name sent; the 8 characters are the entry id's tag. */
  name: string;
  rule: string;
  length: number;
  limit: number;
}

export const TAG_PLACEHOLDER = '########';

export function markedPreview(name: string): MarkedName {
  const marked = `${name}-q${TAG_PLACEHOLDER}`;
  return { name: marked, rule: MARK_RULE, length: name.length + MARK_LENGTH, limit: DEPLOYMENT_NAME_LIMIT };
}
