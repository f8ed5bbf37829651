// The word index in SQL (retrieval_docs, retrieval_postings) and BM25 ranking over it.
// Writing: a document's statements replace its old rows, so the caller can put them in the
// same atomic unit as the change that caused them. Ranking: one read of the postings of the
// question's terms (bounded), then BM25 in JS with the question's clauses (a synonym group or
// a typo's corrections form one clause that any of its terms satisfies).
import type { Deps } from '../../deps.js';
import { raw, type Stmt } from '../../core/store.js';
import { bigramSegmenter, type Segmenter } from './segmenter.js';
import { loadSynonyms, matchSynonyms } from './synonyms.js';
import { foldText } from './fold.js';
import { CHAR_PREFIX, latinWords, stem, terms } from './tokenize.js';
import { nearestWords } from './typos.js';

export type DocKind = 'faq' | 'conversation';
export interface IndexField { text: string; weight: number }

export const segmenterOf = (deps: Deps): Segmenter => deps.segmenter ?? bigramSegmenter;

/** Statements that (re)write one document's index rows. */
export function indexDocStatements(deps: Deps, kind: DocKind, docId: string, fields: IndexField[], scope: string | null): Stmt[] {
  const tf = new Map<string, number>();
  let length = 0;
  for (const f of fields) {
    for (const t of terms(f.text, segmenterOf(deps))) {
      tf.set(t, (tf.get(t) ?? 0) + f.weight);
      length++;
    }
  }
  const stmts = removeDocStatements(kind, docId);
  stmts.push(raw('INSERT INTO retrieval_docs(kind, doc_id, length, scope, updated_at) VALUES (?, ?, ?, ?, ?)', kind, docId, Math.max(1, length), scope, deps.clock.now()));
  // Multi-row inserts, under SQLite's default limit of 999 bound parameters per statement.
  const entries = [...tf.entries()];
  for (let i = 0; i < entries.length; i += 200) {
    const chunk = entries.slice(i, i + 200);
    stmts.push(raw(`INSERT INTO retrieval_postings(kind, term, doc_id, tf) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
      ...chunk.flatMap(([t, n]) => [kind, t, docId, n])));
  }
  return stmts;
}

export const removeDocStatements = (kind: DocKind, docId: string): Stmt[] => [
  raw('DELETE FROM retrieval_postings WHERE kind = ? AND doc_id = ?', kind, docId),
  raw('DELETE FROM retrieval_docs WHERE kind = ? AND doc_id = ?', kind, docId),
];

/** One clause of a question: satisfied by the best of its alternatives; each alternative is a list of terms (averaged). */
interface Clause { alternatives: { terms: string[]; weight: number }[]; /** Counts toward coverage only if the index knows it. */ optional?: boolean }

const CHAR_WEIGHT = 0.3;
const termWeight = (t: string) => (t.startsWith(CHAR_PREFIX) ? CHAR_WEIGHT : 1);
const weightOf = (ts: string[]) => ts.reduce((x, t) => x + termWeight(t), 0) || 1;
/** How much a question word no document contains counts against coverage, relative to a rare word. */
const UNKNOWN_SHARE = 0.5;
const K1 = 1.2;
const B = 0.75;
const MAX_QUERY_TERMS = 120;
const MAX_POSTINGS = 50_000;

export interface Ranked { docId: string; score: number; covered: number; confidence: number; matchedTerms: string[]; scope: string | null }
export interface RankOptions { limit?: number; scope?: string | null; scopes?: string[] }

// Typo tolerance compares a question's word with the words the documents were written in
// (before stemming: "identiy" is one edit from "identity", not from its stem "ident"), and
// uses the stem of the closest. Built from the FAQ articles (a few hundred), cached until an
// article changes.
const vocabCache = new WeakMap<object, { key: string; surface: Map<string, string> }>();
async function surfaceVocabulary(deps: Deps): Promise<Map<string, string>> {
  const stamp = await deps.store.get<{ n: number; t: number | null }>("SELECT count(*) AS n, max(updated_at) AS t FROM retrieval_docs WHERE kind = 'faq'");
  const key = `${stamp?.n}:${stamp?.t}`;
  const hit = vocabCache.get(deps.store);
  if (hit?.key === key) return hit.surface;
  const rows = await deps.store.all<{ title: string; body: string; tags: string }>('SELECT title, body, tags FROM faq_articles LIMIT 5000');
  const surface = new Map<string, string>();
  for (const r of rows) {
    for (const w of latinWords(foldText(`${r.title} ${r.body} ${r.tags}`))) if (w.length >= 4) surface.set(w, stem(w));
  }
  vocabCache.set(deps.store, { key, surface });
  return surface;
}

async function clausesOf(deps: Deps, kind: DocKind, question: string): Promise<Clause[]> {
  const seg = segmenterOf(deps);
  const own = [...new Set(terms(question, seg))];
  const clauses: Clause[] = [];
  let surface: Map<string, string> | null = null;
  let stems: Set<string> | null = null;
  const typoFixes = new Map<string, string[]>();
  if (kind === 'faq') {
    for (const w of latinWords(foldText(question.slice(0, 2000)))) {
      surface ??= await surfaceVocabulary(deps);
      stems ??= new Set(surface.values());
      const t = stem(w);
      if (stems.has(t) || surface.has(w)) continue;
      const near = nearestWords(w, [...surface.keys()]);
      if (near.length) typoFixes.set(t, [...new Set(near.map((n) => surface!.get(n)!))]);
    }
  }
  // A word the question said that belongs to a synonym group still scores on its own (the
  // customer's own word is the strongest evidence), but if no document has it, it does not
  // count against coverage: the group's clause stands for it.
  const groups = matchSynonyms(question, await loadSynonyms(deps), seg);
  const inGroup = new Set(groups.flatMap((g) => g.said));
  for (const t of own) {
    if (inGroup.has(t)) { clauses.push({ alternatives: [{ terms: [t], weight: termWeight(t) }], optional: true }); continue; }
    const fixes = typoFixes.get(t);
    if (fixes) clauses.push({ alternatives: fixes.map((n) => ({ terms: [n], weight: 0.8 })) });
    else clauses.push({ alternatives: [{ terms: [t], weight: termWeight(t) }] });
  }
  for (const g of groups) clauses.push({ alternatives: g.members.map((memberTerms) => ({ terms: memberTerms, weight: 1 })) });
  return clauses;
}

/**
 * Documents of `kind` ranked by BM25 for the question, best first. `confidence` (0..1) is the
 * share of the question's weight the document covers (its score over the score of a document
 * that held every clause once), scaled down when the runner-up scores almost as well.
 */
export async function rankDocs(deps: Deps, kind: DocKind, question: string, opts: RankOptions = {}): Promise<Ranked[]> {
  const clauses = await clausesOf(deps, kind, question);
  const all = [...new Set(clauses.flatMap((c) => c.alternatives.flatMap((a) => a.terms)))].slice(0, MAX_QUERY_TERMS);
  if (all.length === 0) return [];
  const stats = await deps.store.get<{ n: number; avg: number | null }>('SELECT count(*) AS n, avg(length) AS avg FROM retrieval_docs WHERE kind = ?', [kind]);
  const N = stats?.n ?? 0;
  if (N === 0) return [];
  const avgdl = stats?.avg ?? 1;
  const postings = await deps.store.all<{ term: string; doc_id: string; tf: number; length: number; scope: string | null }>(
    `SELECT p.term, p.doc_id, p.tf, d.length, d.scope FROM retrieval_postings p JOIN retrieval_docs d ON d.kind = p.kind AND d.doc_id = p.doc_id
     WHERE p.kind = ? AND p.term IN (${all.map(() => '?').join(',')}) LIMIT ${MAX_POSTINGS}`, [kind, ...all]);
  const df = new Map<string, number>();
  const docs = new Map<string, { length: number; scope: string | null; tf: Map<string, number> }>();
  for (const p of postings) {
    df.set(p.term, (df.get(p.term) ?? 0) + 1);
    let d = docs.get(p.doc_id);
    if (!d) docs.set(p.doc_id, (d = { length: p.length, scope: p.scope, tf: new Map() }));
    d.tf.set(p.term, p.tf);
  }
  const idf = (t: string) => { const n = df.get(t) ?? 0; return Math.log(1 + (N - n + 0.5) / (n + 0.5)); };
  // A clause none of whose terms the index knows still counts in the ideal, at half weight:
  // a question mostly about things the FAQ never mentions should not look well covered.
  // What each clause would score in a document that held it once at average length (its
  // idf); a clause none of whose terms any document has counts at UNKNOWN_SHARE of a rare word.
  const clauseIdeal = clauses.map((c) => Math.max(...c.alternatives.map((a) => {
    const known = a.terms.filter((t) => df.has(t));
    if (known.length === 0) return c.optional ? 0 : UNKNOWN_SHARE * a.weight * idf('');
    return (a.weight * known.reduce((x, t) => x + termWeight(t) * idf(t), 0)) / weightOf(a.terms);
  })));
  const ideal = clauseIdeal.reduce((x, y) => x + y, 0);

  const results: Ranked[] = [];
  for (const [docId, d] of docs) {
    if (opts.scope !== undefined && opts.scope !== null && d.scope !== opts.scope) continue;
    if (opts.scopes && !opts.scopes.includes(d.scope ?? '')) continue;
    const norm = K1 * (1 - B + (B * d.length) / avgdl);
    const matched = new Set<string>();
    let score = 0;
    let covered = 0;
    for (const [ci, c] of clauses.entries()) {
      let best = 0;
      for (const a of c.alternatives) {
        let s = 0;
        for (const t of a.terms) {
          const tf = d.tf.get(t);
          if (tf) { s += termWeight(t) * idf(t) * (tf * (K1 + 1)) / (tf + norm); matched.add(t); }
        }
        best = Math.max(best, (a.weight * s) / weightOf(a.terms));
      }
      score += best;
      // Coverage caps each clause at its ideal: a word repeated in a title cannot make up for
      // words of the question the document lacks.
      covered += Math.min(best, clauseIdeal[ci]!);
    }
    if (score > 0) results.push({ docId, score, covered, confidence: 0, matchedTerms: [...matched].filter((t) => !t.startsWith(CHAR_PREFIX)), scope: d.scope });
  }
  results.sort((a, b) => b.score - a.score || (a.docId < b.docId ? -1 : 1));
  const top = results.slice(0, opts.limit ?? 10);
  const second = results[1]?.score ?? 0;
  for (const [i, r] of top.entries()) {
    const coverage = ideal > 0 ? Math.min(1, r.covered / ideal) : 0;
    const margin = i === 0 && r.score > 0 ? Math.min(1, (r.score - second) / r.score / 0.3) : 0;
    r.confidence = Math.round(coverage * (0.6 + 0.4 * margin) * 1000) / 1000;
  }
  return top;
}
