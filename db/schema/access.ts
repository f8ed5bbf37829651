// Access: the audit log of admin acts and the login throttle. Both live in the store so they
// survive restarts and are shared by every process serving the same database.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const auditLog = sqliteTable('audit_log', {
  // Integer, increasing: the keyset for newest-first pages.
  id: integer('id').primaryKey({ autoIncrement: true }),
  // Null for acts done from the CLI on the server itself.
  actorId: text('actor_id'),
  action: text('action').notNull(),
  targetType: text('target_type'),
  targetId: text('target_id'),
  details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
  clientAddress: text('client_address'),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  index('audit_log_actor_idx').on(t.actorId, t.id),
  index('audit_log_action_idx').on(t.action, t.id),
  index('audit_log_created_idx').on(t.createdAt),
]);

// One row per throttled key ('account:<email>' or 'address:<ip>'): consecutive failures and
// until when the next attempt must wait. A success deletes the account's row.
export const loginThrottle = sqliteTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: integer('last_failure_at').notNull(),
  blockedUntil: integer('blocked_until').notNull(),
}, (t) => [index('login_throttle_last_idx').on(t.lastFailureAt)]);
