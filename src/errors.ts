// The error contract inherited from the original skill (see ../shared/autodl-api.md,
// last section). `error_type` names and exit codes are a public contract: agents
// branch on them. New types may be added, none renamed.

export type ErrorType =
  | 'validation_error'
  | 'image_not_found'
  | 'gpu_type_not_found'
  | 'submission_error'
  | 'timeout'
  | 'token_missing'
  | 'config_error'
  | 'api_error'
  // additions of this project (documented in the README)
  | 'interrupted'
  | 'not_found'
  | 'unreachable'
  // issue 15: the API refused the token (login's check; exit 1, like token_missing)
  | 'token_invalid';

/** Exit codes: 0 ok, 1 validation/config (token_missing too), 2 timeout, 3 API/runtime, 130 interrupted (SIGINT). */
export const EXIT = {
  ok: 0,
  validation: 1,
  timeout: 2,
  runtime: 3,
  interrupted: 130,
} as const;

export function exitCodeFor(type: ErrorType): number {
  switch (type) {
    case 'validation_error':
    case 'config_error':
    case 'token_missing': // as in the original queue_submit.py: a missing token is a configuration problem
    case 'token_invalid':
    case 'image_not_found':
    case 'gpu_type_not_found':
      return EXIT.validation;
    case 'timeout':
      return EXIT.timeout;
    case 'interrupted':
      return EXIT.interrupted;
    default:
      return EXIT.runtime;
  }
}

/** The JSON shape printed on stdout for a failure. */
export interface ErrorResult {
  status: 'error';
  error_type: ErrorType;
  message: string;
  details: Record<string, unknown>;
}

export class AutodlError extends Error {
  readonly errorType: ErrorType;
  readonly details: Record<string, unknown>;
  readonly exitCode: number;

  constructor(errorType: ErrorType, message: string, details: Record<string, unknown> = {}, exitCode?: number) {
    super(message);
    this.name = 'AutodlError';
    this.errorType = errorType;
    this.details = details;
    this.exitCode = exitCode ?? exitCodeFor(errorType);
  }

  toResult(): ErrorResult {
    return { status: 'error', error_type: this.errorType, message: this.message, details: this.details };
  }
}

/** How an API call failed. `network` and `timeout` mean the request may or may not have reached the server. */
export type ApiFailureKind = 'http' | 'envelope' | 'non_json' | 'network' | 'timeout' | 'refused' | 'too_large';

export interface ApiErrorInfo {
  kind: ApiFailureKind;
  method: string;
  /** Path only (no host, no query values that could carry secrets). */
  path: string;
  httpStatus?: number;
  code?: string;
  msg?: string;
  requestId?: string;
  /** Number of attempts made (reads are retried). */
  attempts?: number;
  /** For writes: true when the server may have applied the request (network error, timeout, 5xx after send). */
  mayHaveApplied?: boolean;
  /** Retry-After in seconds, when the server sent one. */
  retryAfterSeconds?: number;
  /** kind 'too_large': the reply size cap in bytes. */
  limitBytes?: number;
}

/** A failed API call: transport failure, non-JSON reply, HTTP >= 400 or a non-Success envelope. */
export class ApiError extends AutodlError {
  readonly info: ApiErrorInfo;
  constructor(message: string, info: ApiErrorInfo) {
    const details: Record<string, unknown> = { kind: info.kind, method: info.method, path: info.path };
    if (info.httpStatus !== undefined) details.status = info.httpStatus;
    if (info.code !== undefined) details.code = info.code;
    if (info.msg !== undefined) details.msg = info.msg;
    if (info.requestId !== undefined) details.request_id = info.requestId;
    if (info.attempts !== undefined) details.attempts = info.attempts;
    if (info.mayHaveApplied !== undefined) details.may_have_applied = info.mayHaveApplied;
    if (info.limitBytes !== undefined) details.limit_bytes = info.limitBytes;
    super('api_error', message, details);
    this.name = 'ApiError';
    this.info = info;
  }
  get httpStatus() {
    return this.info.httpStatus;
  }
  get code() {
    return this.info.code;
  }
  get msg() {
    return this.info.msg;
  }
}

export function isAutodlError(e: unknown): e is AutodlError {
  return e instanceof AutodlError;
}
