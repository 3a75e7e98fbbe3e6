/**
 * "Did you mean" suggestions for misspelt keys and names of the usage file.
 */

/**
 * Edit distance counting insertions, deletions, substitutions and transpositions of neighbours (optimal string
 * alignment), so that `chta` is one edit away from `chat`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // rows[i][j] = distance between the first i characters of a and the first j characters of b.
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}

/** Lower case without `_`, `-`, spaces: `requests_per_day`, `Requests-Per-Day` and `requestsPerDay` compare equal. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[\s_-]+/g, '');
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo: equal after normalising case and
 * separators, or within an edit distance of about a third of the word's length (at least 1, at most 3). Ties go to the
 * earlier candidate.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const target = normalise(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(target, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.min(3, Math.max(1, Math.floor(target.length / 3)));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}
