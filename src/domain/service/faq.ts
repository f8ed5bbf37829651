// FAQ articles (zh-CN and en) and ranking them against customers' own words: BM25 over the
// word index (retrieval/: Chinese segmented, traditional folded to simplified, English stemmed,
// the account's synonyms, typo tolerance). Used by the agents' suggestions and the after-hours
// bot. The trigram table faq_fts is still kept by its triggers (substring search); ranking no
// longer reads it. Canned replies match by the trigram-style terms below.
import { requireRole, type Actor } from '../core/actor.js';
import { getVisibleConversation } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../core/paging.js';
import { similarResolved } from './retrieval/resolved-conversations.js';
import { indexDocStatements, rankDocs, removeDocStatements, segmenterOf } from './retrieval/word-index.js';
import { raw } from '../core/store.js';
import type { CannedResponseRow, FaqArticleRow } from '../core/rows.js';
import { jsonStrings } from '../core/json-text.js';

export const FAQ_LOCALES = ['zh-CN', 'en'] as const;
export type FaqLocale = (typeof FAQ_LOCALES)[number];

export interface FaqInput { title: string; body: string; tags?: string[]; locale: FaqLocale }
export interface FaqView { id: string; title: string; body: string; tags: string[]; locale: FaqLocale; createdAt: string; updatedAt: string; score?: number }

export function faqView(r: FaqArticleRow): FaqView {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    tags: jsonStrings(r.tags),
    locale: r.locale as FaqLocale, // written only through FaqInput, checked against FAQ_LOCALES
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}_'-]*/gu;
// Characters that carry little meaning on their own; a window made mostly of them is noise.
const ZH_FUNCTION = new Set([...'我你您他她它的了是吗呢啊吧在有么怎这那请问好一个不也就都和与及或要想能会可以把被给从到对吧哦嗯呀']);
const EN_STOP = new Set(['the', 'and', 'for', 'you', 'your', 'with', 'this', 'that', 'have', 'has', 'how', 'what', 'why', 'when', 'can', 'could', 'not',
  'are', 'was', 'but', 'our', 'please', 'hello', 'thanks', 'thank', 'help', 'need', 'there', 'they', 'from', 'any', 'just', 'does', "don't", 'cannot', 'will',
  'would', 'should', 'get', 'got', 'all', 'its', "it's", 'i\'m', 'hi', 'hey', 'about', 'into', 'some', 'then', 'than', 'too', 'very', 'my', 'me']);

/** The search terms of a customer's text: 3-character windows of Chinese runs, English words of 3+ letters. */
export function searchTerms(text: string, max = 40): string[] {
  const t = text.normalize('NFKC').toLowerCase();
  const terms = new Set<string>();
  for (const run of t.match(CJK_RUN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 3 <= chars.length; i++) {
      const w = chars.slice(i, i + 3);
      if (w.filter((ch) => ZH_FUNCTION.has(ch)).length >= 2) continue;
      terms.add(w.join(''));
    }
  }
  for (const w of t.replace(CJK_RUN, ' ').match(WORD) ?? []) {
    if ([...w].length >= 3 && !EN_STOP.has(w)) terms.add(w);
  }
  return [...terms].slice(0, max);
}

/** The word-index fields of an article: the title counts three times, tags twice, the body once. */
const articleFields = (a: { title: string; body: string; tags?: string[] }) => [
  { text: a.title, weight: 3 }, { text: (a.tags ?? []).join(' '), weight: 2 }, { text: a.body, weight: 1 }];

/** Bump when tokenizing changes (stop words, stemming, folding): the FAQ index is rebuilt on next use. */
const TOKENIZER_VERSION = 1;
const indexStamp = (deps: Deps) => `${TOKENIZER_VERSION}:${segmenterOf(deps).id}`;
const stampChecked = new WeakMap<object, string>();

/**
 * Articles written before the word index existed (or by another writer) get indexed on first
 * use; an index built by another tokenizer version or segmenter is rebuilt.
 */
async function ensureIndexed(deps: Deps): Promise<void> {
  const want = indexStamp(deps);
  if (stampChecked.get(deps.store) !== want) {
    const row = await deps.store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'retrieval.faqIndex'");
    if (row?.value !== want) {
      await deps.store.atomically([raw("DELETE FROM retrieval_postings WHERE kind = 'faq'"), raw("DELETE FROM retrieval_docs WHERE kind = 'faq'"),
        raw("INSERT INTO settings(key, value) VALUES ('retrieval.faqIndex', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", want)]);
    }
    stampChecked.set(deps.store, want);
  }
  for (;;) {
    const done = await indexMissing(deps);
    if (done < 500) return;
  }
}

async function indexMissing(deps: Deps): Promise<number> {
  const missing = await deps.store.all<FaqArticleRow>(`SELECT * FROM faq_articles a WHERE NOT EXISTS
    (SELECT 1 FROM retrieval_docs d WHERE d.kind = 'faq' AND d.doc_id = a.id) LIMIT 500`);
  for (const r of missing) {
    const a = faqView(r);
    await deps.store.atomically(indexDocStatements(deps, 'faq', a.id, articleFields(a), a.locale));
  }
  return missing.length;
}

export interface RankedArticle { article: FaqView; score: number; confidence: number; matched: number; matchedTerms: string[] }

/** Articles ranked by BM25 over words (segmented, folded, stemmed, synonyms, typos), best first, with a confidence 0..1. */
export async function rankArticles(deps: Deps, text: string, opts: { limit?: number; locale?: string } = {}): Promise<RankedArticle[]> {
  await ensureIndexed(deps);
  const ranked = await rankDocs(deps, 'faq', text, { limit: opts.limit ?? 10, scope: opts.locale ?? null });
  if (ranked.length === 0) return [];
  const rows = await deps.store.all<FaqArticleRow>(`SELECT * FROM faq_articles WHERE id IN (${ranked.map(() => '?').join(',')})`, ranked.map((r) => r.docId));
  const byId = new Map(rows.map((r) => [r.id, faqView(r)]));
  return ranked.flatMap((r) => {
    const article = byId.get(r.docId);
    return article ? [{ article, score: Math.round(r.score * 1000) / 1000, confidence: r.confidence, matched: r.matchedTerms.length, matchedTerms: r.matchedTerms }] : [];
  });
}

/** The best article for a customer's question and how sure the ranking is (null when nothing matches). */
export async function bestArticle(deps: Deps, text: string): Promise<{ article: FaqView; confidence: number } | null> {
  const [top] = await rankArticles(deps, text, { limit: 3 });
  return top ? { article: top.article, confidence: top.confidence } : null;
}

function validate(input: Partial<FaqInput>) {
  if (input.locale !== undefined && !(FAQ_LOCALES as readonly string[]).includes(input.locale)) {
    throw new AppError(400, 'invalid_request', `locale must be one of ${FAQ_LOCALES.join(', ')}`, { field: 'locale' });
  }
}

export async function createFaq(deps: Deps, actor: Actor, input: FaqInput): Promise<FaqView> {
  requireRole(actor, 'admin', 'lead');
  validate(input);
  const id = newId();
  const now = deps.clock.now();
  await deps.store.atomically([raw('INSERT INTO faq_articles(id, title, body, tags, locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    id, input.title, input.body, JSON.stringify(cleanTags(input.tags)), input.locale, now, now),
    ...indexDocStatements(deps, 'faq', id, articleFields({ ...input, tags: cleanTags(input.tags) }), input.locale)]);
  return getFaq(deps, id);
}

const cleanTags = (tags?: string[]) => [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))];

export async function getFaq(deps: Deps, id: string): Promise<FaqView> {
  const r = await deps.store.get<FaqArticleRow>('SELECT * FROM faq_articles WHERE id = ?', [id]);
  if (!r) throw notFound('FAQ article');
  return faqView(r);
}

export async function updateFaq(deps: Deps, actor: Actor, id: string, input: Partial<FaqInput>): Promise<FaqView> {
  requireRole(actor, 'admin', 'lead');
  validate(input);
  const cur = await getFaq(deps, id);
  const next = { title: input.title ?? cur.title, body: input.body ?? cur.body, tags: input.tags ? cleanTags(input.tags) : cur.tags, locale: input.locale ?? cur.locale };
  await deps.store.atomically([raw('UPDATE faq_articles SET title = ?, body = ?, tags = ?, locale = ?, updated_at = ? WHERE id = ?',
    next.title, next.body, JSON.stringify(next.tags), next.locale, deps.clock.now(), id),
  ...indexDocStatements(deps, 'faq', id, articleFields(next), next.locale)]);
  return getFaq(deps, id);
}

export async function deleteFaq(deps: Deps, actor: Actor, id: string): Promise<void> {
  requireRole(actor, 'admin', 'lead');
  const [gone] = await deps.store.atomically([raw('DELETE FROM faq_articles WHERE id = ? RETURNING id', id), ...removeDocStatements('faq', id)]);
  if (gone!.length === 0) throw notFound('FAQ article');
}

/** Newest first by keyset; with q, the best matches by relevance (one page). */
export async function listFaq(deps: Deps, f: { q?: string; locale?: string; limit: number; cursor?: string }): Promise<Page<FaqView>> {
  const q = f.q?.trim();
  if (q) {
    const ranked = await rankArticles(deps, q, { limit: f.limit, locale: f.locale });
    if (ranked.length) return { data: ranked.map((r) => ({ ...r.article, score: r.score, confidence: r.confidence })), nextCursor: null };
    // No indexed word in common (e.g. a single stop character): a plain substring match.
    const like = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const rows = await deps.store.all<FaqArticleRow>(`SELECT * FROM faq_articles WHERE (title LIKE ?1 ESCAPE '\\' OR body LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR locale = ?2)
      ORDER BY updated_at DESC, id DESC LIMIT ?3`, [like, f.locale ?? null, f.limit]);
    return { data: rows.map(faqView), nextCursor: null };
  }
  const after = decodeCursor(f.cursor);
  const rows = await deps.store.all<FaqArticleRow>(`SELECT * FROM faq_articles WHERE (?1 IS NULL OR locale = ?1) ${after ? 'AND (updated_at, id) < (?3, ?4)' : ''}
    ORDER BY updated_at DESC, id DESC LIMIT ?2`, after ? [f.locale ?? null, f.limit + 1, after[0], after[1]] : [f.locale ?? null, f.limit + 1]);
  const more = rows.length > f.limit;
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { data: page.map(faqView), nextCursor: more && last ? encodeCursor([last.updated_at, last.id]) : null };
}

/** What the customer said lately: the last few inbound messages, newest last. */
export async function latestCustomerText(deps: Deps, conversationId: string, n = 3): Promise<string> {
  const rows = await deps.store.all<{ content: string }>(
    `SELECT content FROM (SELECT content, created_at, id FROM messages WHERE conversation_id = ? AND direction = 'in' AND private = 0
       ORDER BY created_at DESC, id DESC LIMIT ?) ORDER BY created_at, id`, [conversationId, n]);
  return rows.map((r) => r.content).join('\n');
}

/** Below this an article shares only a word or two with the question: not worth an agent's glance. */
export const MIN_SUGGESTION_CONFIDENCE = 0.2;

/** Suggested articles and canned replies for the agent looking at a conversation. */
export async function suggestionsFor(deps: Deps, actor: Actor, conversationId: string) {
  await getVisibleConversation(deps, actor, conversationId);
  const text = await latestCustomerText(deps, conversationId);
  const articles = (await rankArticles(deps, text, { limit: 5 })).filter((r) => r.confidence >= MIN_SUGGESTION_CONFIDENCE).map((r) => ({ ...r.article, score: r.score, confidence: r.confidence, matchedTerms: r.matched, matchedWords: r.matchedTerms }));
  const similar = text.trim() ? await similarResolved(deps, actor, text, conversationId, 3) : [];
  return { articles, cannedResponses: await matchCanned(deps, text), similarConversations: similar };
}

/** Canned replies containing the customer's terms, when that area's table exists (else []). */
async function matchCanned(deps: Deps, text: string) {
  const exists = await deps.store.get("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = 'canned_responses'");
  const terms = searchTerms(text);
  if (!exists || terms.length === 0) return [];
  const rows = await deps.store.all<CannedResponseRow>('SELECT * FROM canned_responses ORDER BY id LIMIT 2000');
  return rows
    .map((r) => {
      const hay = `${r.short_code ?? ''}\n${r.content ?? ''}`.normalize('NFKC').toLowerCase();
      return { r, matched: terms.filter((x) => hay.includes(x)).length };
    })
    .filter((x) => x.matched > 0)
    .sort((a, b) => b.matched - a.matched)
    .slice(0, 5)
    .map(({ r, matched }) => ({ id: r.id, shortCode: r.short_code, content: r.content, matchedTerms: matched }));
}
