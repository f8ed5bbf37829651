// Word-level retrieval (FAQ articles, resolved conversations): an inverted index the domain
// fills itself, because the words come from a JS segmenter/stemmer that SQL triggers cannot run.
// BM25 is computed in the domain from these rows, so Node and D1 rank alike.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const retrievalDocs = sqliteTable('retrieval_docs', {
  kind: text('kind', { enum: ['faq', 'conversation'] }).notNull(),
  docId: text('doc_id').notNull(),
  /** Number of index terms in the document (BM25's document length). */
  length: integer('length').notNull(),
  /** For kind='faq': the article's locale; for conversations: the inbox id. */
  scope: text('scope'),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [primaryKey({ columns: [t.kind, t.docId] }), index('retrieval_docs_updated_idx').on(t.kind, t.updatedAt)]);

export const retrievalPostings = sqliteTable('retrieval_postings', {
  kind: text('kind', { enum: ['faq', 'conversation'] }).notNull(),
  term: text('term').notNull(),
  docId: text('doc_id').notNull(),
  /** Term frequency, already weighted by field (a title word counts more than a body word). */
  tf: integer('tf').notNull(),
}, (t) => [primaryKey({ columns: [t.kind, t.term, t.docId] }), index('retrieval_postings_doc_idx').on(t.kind, t.docId)]);
