// Whose queue entry is it (issue 11): one queue (a PostgreSQL database, or a SQLite file
// several people point at) may hold entries of several AutoDL accounts and hosts. An entry
// records a fingerprint of the account it belongs to — never the token itself — and a worker
// claims and follows only entries of its own fingerprint (and adopts entries of none).
//
// The one-shot submit's intent key lives here too: what makes two `autodl submit` runs "the
// same submit" (the same normalized body, host and account).

import { createHash } from 'node:crypto';
import type { CreateDeploymentBody } from '../api/types.js';

/** Hex characters of an account fingerprint (64 bits: collisions between real accounts are out of reach). */
export const ACCOUNT_FINGERPRINT_LENGTH = 16;
/** What `queue ls` shows of a fingerprint. */
export const ACCOUNT_SHORT_LENGTH = 8;

/** The host as the fingerprint sees it: scheme + host + port, lower case, no trailing slash. */
export function fingerprintHost(host: string): string {
  const h = host.trim();
  try {
    const u = new URL(h);
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return h.replace(/\/+$/, '').toLowerCase();
  }
}

/**
 * The account fingerprint of (host, token): the first 16 hex characters of
 * SHA-256("autodl-account-v1" NUL host NUL token). One-way: the token cannot be read back
 * from it (the token is a long random secret, so guessing it from 64 bits is hopeless),
 * and the same token on another host is another account.
 */
export function accountFingerprint(host: string, token: string): string {
  return createHash('sha256')
    .update(`autodl-account-v1\0${fingerprintHost(host)}\0${token}`)
    .digest('hex')
    .slice(0, ACCOUNT_FINGERPRINT_LENGTH);
}

/** The short form shown in tables (`-` for an entry of no account yet). */
export function shortAccount(account: string | null | undefined): string {
  return account ? account.slice(0, ACCOUNT_SHORT_LENGTH) : '-';
}

/** JSON with every object's keys sorted: the same body written in another key order is the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/**
 * The one-shot submit's intent key: SHA-256 of the normalized body (canonical JSON), the
 * host and the account fingerprint. A rerun of the same config against the same account
 * finds the earlier submit's entry while that submit has not reported its result.
 */
export function submitKeyFor(body: CreateDeploymentBody, host: string, account: string): string {
  return createHash('sha256')
    .update(`autodl-submit-v1\0${fingerprintHost(host)}\0${account}\0${canonicalJson(body)}`)
    .digest('hex')
    .slice(0, 32);
}
