// Platform events (issue 14): items of validly signed webhooks that Parley could not use,
// counted per inbox and type so an admin sees what a platform sends that is being skipped.
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { inboxes } from '../schema.js';

export const webhookSkips = sqliteTable('webhook_skips', {
  inboxId: text('inbox_id').notNull().references(() => inboxes.id, { onDelete: 'cascade' }),
  // The item's kind as the platform names it (e.g. messaging.policy-enforcement, update.poll).
  type: text('type').notNull(),
  count: integer('count').notNull().default(0),
  lastReason: text('last_reason'),
  lastAt: integer('last_at').notNull(),
}, (t) => [primaryKey({ columns: [t.inboxId, t.type] })]);
