// The platform's own reason for a refused create, named in the submit/queue output and in the
// submission_error details.
//
// Stock is a hint: the stock endpoint has shown idle cards while a create in the same place was
// refused with 暂无库存 ("no stock", recorded), and a private cloud refuses a tenant over its GPU
// quota with code GpuStockReqNum. So a refused create while stock shows idle cards is a normal
// outcome, not a client bug: the submitter retries it at the next interval (3 in a row → the
// contract's submission_error). Codes are undocumented, so the kind below is a hint for the
// advice only; the platform's code and msg are always shown as they came (redacted, bounded).
import { ApiError } from '../errors.js';
import { redactText } from './ids.js';

export interface PlatformReason {
  /** the envelope's code (e.g. "GpuStockReqNum"), when the platform gave one */
  code?: string;
  /** the platform's own message (e.g. "暂无库存") */
  msg?: string;
  /** HTTP status, when not 200 */
  http_status?: number;
  /** no_stock: the platform has no free card for this request now; quota: the account's GPU quota is used up */
  kind: 'no_stock' | 'quota' | 'other';
}

/** Longest code / msg kept (a hostile server could send megabytes). */
const MAX_TEXT = 300;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Server text made safe for a terminal and a log line: redacted, control characters (ESC …) replaced, bounded. */
function bounded(s: string): string {
  const t = redactText(s).replace(CONTROL, '�');
  return t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT)}…` : t;
}

const NO_STOCK = /暂无库存|库存不足|无可用|资源不足|no (?:gpu )?stock|out of stock|insufficient (?:gpu|stock|resource)/i;
const QUOTA = /ReqNum|quota|额度|配额|上限/i;

export function refusalKind(code: string | undefined, msg: string | undefined): PlatformReason['kind'] {
  if ((code !== undefined && QUOTA.test(code)) || (msg !== undefined && QUOTA.test(msg))) return 'quota';
  if ((msg !== undefined && NO_STOCK.test(msg)) || (code !== undefined && NO_STOCK.test(code))) return 'no_stock';
  return 'other';
}

/** The platform's reason in an error thrown by a create, or undefined when it is not the platform's answer. */
export function platformReason(e: unknown): PlatformReason | undefined {
  if (!(e instanceof ApiError)) return undefined;
  const { code, msg, httpStatus } = e.info;
  if (code === undefined && msg === undefined && httpStatus === undefined) return undefined;
  const r: PlatformReason = { kind: refusalKind(code, msg) };
  if (code !== undefined) r.code = bounded(code);
  if (msg !== undefined) r.msg = bounded(msg);
  if (httpStatus !== undefined && httpStatus !== 200) r.http_status = httpStatus;
  return r;
}

/** "暂无库存 (code BadRequest)" — the reason as one line. */
export function reasonText(r: PlatformReason): string {
  const parts: string[] = [];
  if (r.msg) parts.push(r.msg);
  if (r.code) parts.push(r.msg ? `(code ${r.code})` : `code ${r.code}`);
  if (r.http_status !== undefined) parts.push(`HTTP ${r.http_status}`);
  return parts.join(' ');
}

/** Advice for this kind of refusal (beside the contract's generic `suggestion`). */
export function reasonHint(r: PlatformReason): string {
  switch (r.kind) {
    case 'no_stock':
      return 'The platform had no card for this request at create time although the stock endpoint showed idle ones (stock is only a hint; cards are taken between the check and the create). This is normal on a busy cloud: submit again later, allow more GPU types (gpu_name_set) or data centres (dc_list), or widen the ranges.';
    case 'quota':
      return "The account's GPU quota is used up (the platform refused it, not the stock): stop or delete other deployments of the account, or ask the cluster's administrator for a higher quota, then submit again.";
    default:
      return "Read the platform's msg and code above; check the image, the ranges and the deployment name.";
  }
}
