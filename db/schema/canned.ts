// Canned responses: reusable replies an agent inserts with `/shortCode`, managed by leads.
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from '../schema.js';

export const cannedResponses = sqliteTable('canned_responses', {
  id: text('id').primaryKey(),
  // Stored lower-case; unique so `/refund` always means one reply.
  shortCode: text('short_code').notNull(),
  content: text('content').notNull(),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [uniqueIndex('canned_responses_short_code_uq').on(t.shortCode)]);
