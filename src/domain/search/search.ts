// Search across messages (private notes included: every caller of the API is staff),
// conversations and contacts, scoped to the inboxes the caller may see.
//
// Speed at millions of messages: the trigram FTS index is walked newest first (rowid DESC,
// which FTS5 serves straight from its doclists) and stops after CANDIDATES visible matches;
// bm25 is computed only for those and decides the order shown. So results are "the best of
// the most recent few hundred matches" — what a support inbox wants — and a common word never
// makes the query rank every matching row. Terms shorter than 3 characters (trigram minimum)
// are applied as LIKE filters; a query made only of such terms scans messages newest first.
import { canSeeAll, inboxScope, type Actor } from '../core/actor.js';
import { CONTACT_TEXT, parseQuery, type ParsedQuery } from './text-query.js';
import { contactScope, contactSummary } from '../people/contacts.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import type { ConversationFullRow } from '../core/views.js';
import { CONVERSATION_COLUMNS, CONVERSATION_JOINS, conversationView } from '../core/views.js';
import type { ContactRow, MessageHitRow } from '../core/rows.js';

export const CANDIDATES = 200;
/** Newest FTS matches looked at when a term is common (more than PROBE matches). */
export const SCAN_CAP = 5000;
/** Newest messages a query made only of 1-2 character terms looks through. */
export const LIKE_SCAN_CAP = 50_000;
const candidatesFor = (limit: number) => Math.min(CANDIDATES, Math.max(limit * 3, 30));
const SNIPPET_RADIUS = 32;

/** Up to 2*SNIPPET_RADIUS characters of `text` around the first term found (code-point safe). */
export function makeSnippet(text: string, terms: string[]): string {
  const chars = [...text.replace(/\s+/gu, ' ')];
  const lower = chars.map((c) => c.toLowerCase());
  let at = -1;
  let len = 0;
  for (const t of [...terms].sort((a, b) => [...b].length - [...a].length)) {
    const tc = [...t.toLowerCase()];
    for (let i = 0; i + tc.length <= lower.length && at < 0; i++) {
      if (tc.every((c, j) => lower[i + j] === c)) { at = i; len = tc.length; }
    }
    if (at >= 0) break;
  }
  if (at < 0) { at = 0; len = 0; }
  const start = Math.max(0, at - SNIPPET_RADIUS);
  const end = Math.min(chars.length, at + len + SNIPPET_RADIUS);
  return (start > 0 ? '…' : '') + chars.slice(start, end).join('') + (end < chars.length ? '…' : '');
}

export interface SearchResult {
  messages: {
    id: string; conversationId: string; inboxId: string; content: string; snippet: string; createdAt: string;
    direction: 'in' | 'out'; private: boolean; senderType: string; channel: string; contact: { id: string; name: string | null };
  }[];
  conversations: ReturnType<typeof conversationView>[];
  contacts: (ReturnType<typeof contactSummary>)[];
}

export { parseQuery };

export async function search(deps: Deps, actor: Actor, q: string, limit: number): Promise<SearchResult> {
  const parsed = parseQuery(q);
  if (parsed.terms.length === 0) throw new AppError(400, 'invalid_request', 'q must not be empty');

  const messageHits = await searchMessages(deps, actor, parsed, limit);
  const contactRows = await searchContacts(deps, actor, parsed, limit);
  const conversations = await conversationsFor(deps, actor, messageHits.convOrder, contactRows.map((r) => r.id), limit);
  return {
    messages: messageHits.rows.slice(0, limit).map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      inboxId: r.inbox_id,
      content: r.content,
      snippet: makeSnippet(r.content, parsed.terms),
      createdAt: new Date(r.created_at).toISOString(),
      direction: r.direction,
      private: Boolean(r.private),
      senderType: r.sender_type,
      channel: r.channel,
      contact: { id: r.contact_id, name: r.contact_name },
    })),
    conversations,
    contacts: contactRows.map(contactSummary),
  };
}

// Matches counted before choosing a plan. The count walks the doclists: at 1M messages a cap of
// 2,000 cost ~1.5 ms for "tracking number", 500 costs ~0.4 ms.
export const PROBE = 500;
const K1 = 1.2;
const B = 0.75;

interface FtsSpec {
  fts: 'messages_fts' | 'contacts_fts';
  idCol: 'message_id' | 'contact_id';
  /** Joined table, aliased x. */
  table: 'messages' | 'contacts';
  /** SQL text expression ranked in JS when the match set is large. */
  text: string;
  where: string;
  params: unknown[];
}

/**
 * Ids matching `p.match` (plus spec.where), best first. First the newest visible matches (at
 * most `candidates`, among the newest SCAN_CAP): when that fills up, the match set is large
 * and those are ranked with the BM25 formula in JS, since asking FTS5 for bm25 makes it score
 * every matching row first. When it does not fill up, either there are few matches (<= PROBE:
 * SQLite's bm25 over all of them, old ones included) or the caller sees few of many (the rows
 * found are ranked in JS). So a common query pays for one index walk, not two.
 */
async function ftsRanked(deps: Deps, spec: FtsSpec, p: ParsedQuery, longTerms: string[], candidates: number): Promise<string[]> {
  // The newest SCAN_CAP matches only, then join and scope: a caller who sees a small part of
  // the store never makes this walk the whole match list. CROSS JOIN keeps the matches as the
  // outer loop (with a scope subquery SQLite otherwise may walk every contact and look each up).
  const rows = await deps.store.all<{ id: string; text: string }>(
    `SELECT x.id AS id, ${spec.text} AS text
     FROM (SELECT rowid AS r, ${spec.idCol} AS ref FROM ${spec.fts} WHERE ${spec.fts} MATCH ? ORDER BY rowid DESC LIMIT ?) f
     CROSS JOIN ${spec.table} x ON x.id = f.ref WHERE ${spec.where} ORDER BY f.r DESC LIMIT ?`,
    [p.match, SCAN_CAP, ...spec.params, candidates]);
  if (rows.length < candidates) {
    const probe = await deps.store.get<{ n: number }>(`SELECT count(*) AS n FROM (SELECT rowid FROM ${spec.fts} WHERE ${spec.fts} MATCH ? LIMIT ?)`, [p.match, PROBE + 1]);
    if ((probe?.n ?? 0) <= PROBE) {
      const ranked = await deps.store.all<{ id: string }>(
        `SELECT x.id AS id, bm25(${spec.fts}) AS score FROM ${spec.fts} JOIN ${spec.table} x ON x.id = ${spec.fts}.${spec.idCol}
         WHERE ${spec.fts} MATCH ? AND ${spec.where} ORDER BY score, ${spec.fts}.rowid DESC LIMIT ?`,
        [p.match, ...spec.params, CANDIDATES]);
      return ranked.map((r) => r.id);
    }
  }
  if (rows.length === 0) return [];
  // Every term occurs in at least as many documents as the whole query matches, i.e. each is a
  // common term here; one idf for all (the old per-term counts capped at PROBE+1 always came
  // out equal), so the order depends on term frequencies and lengths only.
  const lens = rows.map((r) => [...(r.text ?? '')].length);
  const avg = lens.reduce((s, x) => s + x, 0) / rows.length || 1;
  const scored = rows.map((r, i) => {
    const text = (r.text ?? '').toLowerCase();
    let score = 0;
    longTerms.forEach((t) => {
      const tf = countOccurrences(text, t.toLowerCase());
      score += (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * lens[i] / avg));
    });
    return { id: r.id, score, i };
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.map((s) => s.id);
}

function countOccurrences(text: string, term: string): number {
  if (!term) return 0;
  let n = 0;
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + term.length)) n++;
  return n;
}

const longTermsOf = (p: ParsedQuery) => p.terms.filter((t) => [...t].length >= 3);

async function searchMessages(deps: Deps, actor: Actor, p: ParsedQuery, limit: number): Promise<{ rows: MessageHitRow[]; convOrder: string[] }> {
  const scope = inboxScope(actor, 'x.inbox_id');
  let ranked: string[];
  if (p.match) {
    const likeSql = p.likes.map(() => " AND x.content LIKE ? ESCAPE '\\'").join('');
    ranked = await ftsRanked(deps, { fts: 'messages_fts', idCol: 'message_id', table: 'messages', text: 'x.content',
      where: `${scope.sql}${likeSql}`, params: [...scope.params, ...p.likes] }, p, longTermsOf(p), candidatesFor(limit));
  } else {
    // Only short terms: no index can help; newest first, stopping as soon as enough are found.
    // Capped to the newest LIKE_SCAN_CAP messages (rowid range), stopping early when enough match.
    ranked = (await deps.store.all<{ id: string }>(
      `SELECT x.id AS id FROM messages x WHERE x.rowid > (SELECT max(rowid) FROM messages) - ? AND ${scope.sql}
         AND ${p.likes.map(() => "x.content LIKE ? ESCAPE '\\'").join(' AND ')} ORDER BY x.rowid DESC LIMIT ?`,
      [LIKE_SCAN_CAP, ...scope.params, ...p.likes, limit * 2],
    )).map((r) => r.id);
  }
  if (ranked.length === 0) return { rows: [], convOrder: [] };
  const shownIds = ranked.slice(0, limit);
  const rows = await deps.store.all<MessageHitRow>(
    `SELECT m.id, m.conversation_id, m.inbox_id, m.content, m.created_at, m.direction, m.private, m.sender_type,
        i.channel AS channel, c.contact_id AS contact_id, ct.name AS contact_name
     FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN inboxes i ON i.id = m.inbox_id JOIN contacts ct ON ct.id = c.contact_id
     WHERE m.id IN (SELECT value FROM json_each(?))`,
    [JSON.stringify(shownIds)],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Conversations ranked by their best message among all candidates.
  const convOf = await deps.store.all<{ id: string; conversation_id: string }>(
    'SELECT id, conversation_id FROM messages WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(ranked)]);
  const convById = new Map(convOf.map((r) => [r.id, r.conversation_id]));
  const convOrder: string[] = [];
  const seen = new Set<string>();
  for (const id of ranked) {
    const cid = convById.get(id);
    if (cid && !seen.has(cid)) { seen.add(cid); convOrder.push(cid); }
  }
  return { rows: shownIds.map((id) => byId.get(id)).filter((r) => r !== undefined), convOrder };
}



async function searchContacts(deps: Deps, actor: Actor, p: ParsedQuery, limit: number): Promise<ContactRow[]> {
  const scope = contactScope(actor, 'x.id');
  const likeSql = p.likes.map(() => ` AND ${CONTACT_TEXT} LIKE ? ESCAPE '\\'`).join('');
  let ids: string[];
  if (p.match) {
    ids = (await ftsRanked(deps, { fts: 'contacts_fts', idCol: 'contact_id', table: 'contacts', text: CONTACT_TEXT,
      where: `x.merged_into IS NULL AND ${scope.sql}${likeSql}`, params: [...scope.params, ...p.likes] }, p, longTermsOf(p), candidatesFor(limit))).slice(0, limit);
  } else {
    // Only short terms (a two-character Chinese name): a scan of contacts, newest first.
    const each = p.likes.map(() => " AND (x.name LIKE ? ESCAPE '\\' OR x.email LIKE ? ESCAPE '\\' OR x.phone LIKE ? ESCAPE '\\')").join('');
    ids = (await deps.store.all<{ id: string }>(
      `SELECT x.id AS id FROM contacts x WHERE x.merged_into IS NULL AND ${scope.sql}${each} ORDER BY x.rowid DESC LIMIT ?`,
      [...scope.params, ...p.likes.flatMap((l) => [l, l, l]), limit])).map((r) => r.id);
  }
  if (ids.length === 0) return [];
  const rows = await deps.store.all<ContactRow>('SELECT * FROM contacts WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is ContactRow => Boolean(r));
}

/** Conversations whose contact matched (strongest signal) then those with matching messages. */
async function conversationsFor(deps: Deps, actor: Actor, fromMessages: string[], contactIds: string[], limit: number) {
  const scope = canSeeAll(actor) ? { sql: '1', params: [] as unknown[] } : inboxScope(actor, 'c.inbox_id');
  const byContact = contactIds.length ? await deps.store.all<{ id: string }>(
    `SELECT c.id FROM conversations c WHERE c.contact_id IN (SELECT value FROM json_each(?)) AND ${scope.sql}
     ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?`, [JSON.stringify(contactIds), ...scope.params, limit]) : [];
  const ids = [...new Set([...byContact.map((r) => r.id), ...fromMessages])].slice(0, limit);
  if (ids.length === 0) return [];
  const rows = await deps.store.all<ConversationFullRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c ${CONVERSATION_JOINS} WHERE c.id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is ConversationFullRow => Boolean(r)).map(conversationView);
}
