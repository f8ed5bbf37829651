// Automatic assignment state: the round-robin pointer per inbox (the user who got the last
// conversation), kept in the store so the rotation survives restarts and is shared by every
// process serving the same database.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { inboxes, users } from '../schema.js';

export const assignmentPointers = sqliteTable('assignment_pointers', {
  inboxId: text('inbox_id').primaryKey().references(() => inboxes.id, { onDelete: 'cascade' }),
  lastUserId: text('last_user_id').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: integer('updated_at').notNull(),
});
