// Outgoing webhooks (workflow-data area): admin-registered URLs with event filters, and one
// delivery row per (webhook, event) so retries keep a stable delivery id and an exact body.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from '../schema.js';

export const outgoingWebhooks = sqliteTable('outgoing_webhooks', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  // JSON array of event types; '*' matches every event, 'message.*' every message event.
  events: text('events', { mode: 'json' }).notNull().$type<string[]>(),
  // HMAC key for X-Parley-Signature. Shown once on create; the server needs it to sign.
  secret: text('secret').notNull(),
  description: text('description'),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: integer('created_at').notNull(),
});

export const webhookDeliveries = sqliteTable('webhook_deliveries', {
  // The stable delivery id sent as X-Parley-Delivery on every attempt.
  id: text('id').primaryKey(),
  webhookId: text('webhook_id').notNull().references(() => outgoingWebhooks.id, { onDelete: 'cascade' }),
  eventId: integer('event_id').notNull(),
  eventType: text('event_type').notNull(),
  // The exact JSON body, fixed at creation so every attempt sends the same bytes.
  body: text('body').notNull(),
  status: text('status', { enum: ['pending', 'delivering', 'delivered', 'failed'] }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: integer('next_attempt_at').notNull(),
  lockToken: text('lock_token'),
  lockedUntil: integer('locked_until'),
  lastStatusCode: integer('last_status_code'),
  lastError: text('last_error'),
  lastAttemptAt: integer('last_attempt_at'),
  deliveredAt: integer('delivered_at'),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  uniqueIndex('webhook_deliveries_event_uq').on(t.webhookId, t.eventId),
  index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
  index('webhook_deliveries_webhook_idx').on(t.webhookId, t.createdAt, t.id),
]);
