// CUDA versions ↔ AutoDL's CUDA codes (118 = CUDA 11.8).

import { CUDA_CODES } from '../api/types.js';
import { english } from '../i18n/index.js';

export const KNOWN_CUDA_CODES: readonly number[] = CUDA_CODES;
export const HIGHEST_CUDA_CODE: number = Math.max(...CUDA_CODES);

export function isKnownCudaCode(code: unknown): code is number {
  return typeof code === 'number' && (KNOWN_CUDA_CODES as readonly number[]).includes(code);
}

/** "11.8" for 118. */
export function cudaCodeToVersion(code: number): string {
  return `${Math.floor(code / 10)}.${code % 10}`;
}

export type CudaParse =
  | { ok: true; code: number; exact: boolean; version: string }
  | { ok: false; message: string };

/**
 * A CUDA version the image needs → the smallest known code not below it (a newer driver
 * runs older CUDA). Accepts "11.8", 11.8, "12", "12.1" (→ 122), "11.8.0", "CUDA 11.8";
 * an integer ≥ 100 is taken as a code already (118) and must be a known one; 0, "0", "any",
 * "none" → code 0, no CUDA constraint.
 */
export function resolveCuda(input: unknown): CudaParse {
  // no CUDA constraint: what the console sends with a system image (cuda_v 0)
  if (input === 0 || (typeof input === 'string' && /^\s*(?:0|any|none)\s*$/i.test(input))) {
    return { ok: true, code: 0, exact: true, version: 'any' };
  }
  if (typeof input === 'number' && Number.isInteger(input) && input >= 100) {
    return isKnownCudaCode(input)
      ? { ok: true, code: input, exact: true, version: cudaCodeToVersion(input) }
      : { ok: false, message: english('spec.cudaUnknownCodeShort', { code: input, codes: KNOWN_CUDA_CODES.join(', ') }) };
  }
  let text: string;
  if (typeof input === 'number' && Number.isFinite(input) && input > 0) text = String(input);
  else if (typeof input === 'string') text = input;
  else return { ok: false, message: english('spec.cudaVersion') };
  const m = /^\s*(?:cuda\s*)?(\d{1,2})(?:\.(\d{1,2}))?(?:\.\d+)?\s*$/i.exec(text);
  if (!m) return { ok: false, message: english('spec.cudaUnreadable', { text: JSON.stringify(text) }) };
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  const version = `${major}.${minor}`;
  for (const code of [...KNOWN_CUDA_CODES].sort((a, b) => a - b)) {
    const cMajor = Math.floor(code / 10);
    const cMinor = code % 10;
    if (cMajor > major || (cMajor === major && cMinor >= minor)) {
      return { ok: true, code, exact: cMajor === major && cMinor === minor, version };
    }
  }
  return {
    ok: false,
    message: english('spec.cudaTooNew', { version, code: HIGHEST_CUDA_CODE, highest: cudaCodeToVersion(HIGHEST_CUDA_CODE) }),
  };
}
