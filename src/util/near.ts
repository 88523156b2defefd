// Near matches of a word among known ones: for "did you mean" on a filter value that can
// match nothing (`--status runing`, `--gpu 4090`). Pure, bounded.

/** Levenshtein distance (case as given). */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] ?? 0;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] ?? 0;
      dp[j] = Math.min((dp[j] ?? 0) + 1, (dp[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] ?? 0;
}

/** Longest value compared (a hostile or pasted value is not worth an edit distance). */
const MAX_LEN = 100;

/**
 * The known values near `value`, nearest first: equal but for case, containing it or contained
 * in it (`4090` → `RTX 4090`, `RTX 4090 D`), or a few edits away (`runing` → `running`).
 */
export function nearMatches(value: string, known: readonly string[], limit = 5): string[] {
  const v = value.trim().toLowerCase();
  if (v === '' || v.length > MAX_LEN) return [];
  const scored: Array<{ k: string; score: number }> = [];
  const squash = (s: string) => s.replace(/[\s_-]+/g, '');
  for (const k of known) {
    const l = k.toLowerCase();
    if (l.length > MAX_LEN) continue;
    let score: number | undefined;
    if (l === v || squash(l) === squash(v)) score = 0;
    else if (v.length >= 2 && (l.includes(v) || squash(l).includes(squash(v)))) score = 1 + (l.length - v.length) / 100;
    else if (l.length >= 2 && v.includes(l)) score = 2;
    else {
      const d = editDistance(v, l);
      if (d <= Math.max(1, Math.floor(Math.max(v.length, l.length) / 4))) score = 2 + d;
    }
    if (score !== undefined) scored.push({ k, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.k.localeCompare(b.k))
    .slice(0, limit)
    .map((x) => x.k);
}
