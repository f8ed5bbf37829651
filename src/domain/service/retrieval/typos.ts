// Typo tolerance for Latin-script words: a question word the index has never seen is matched
// to index words within a small edit distance (optimal string alignment, so "recieve" ->
// "receive" is one edit). Words are capped at 40 characters and the distance at 2, so each
// comparison is bounded; the vocabulary is the FAQ index's own, a few thousand words.
export function editDistanceWithin(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/** How many edits a word of this length may have and still be the same word. */
export const allowedEdits = (len: number) => (len >= 8 ? 2 : len >= 4 ? 1 : 0);

/** The vocabulary words closest to `word` (at the smallest distance found), at most 3. */
export function nearestWords(word: string, vocabulary: readonly string[]): string[] {
  const max = allowedEdits(word.length);
  if (max === 0 || word.length > 40 || !/^[a-z]+$/.test(word)) return [];
  let best = max + 1;
  let found: string[] = [];
  for (const v of vocabulary) {
    if (!/^[a-z]/.test(v)) continue;
    const d = editDistanceWithin(word, v, Math.min(best, max));
    if (d < best) { best = d; found = [v]; } else if (d === best && d <= max) found.push(v);
  }
  return best <= max ? found.slice(0, 3) : [];
}
