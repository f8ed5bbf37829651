// The AI assistant's call log: what was sent to the language model (already masked), what came
// back, token counts and latency, so an admin can see exactly what left the building.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const assistantCalls = sqliteTable('assistant_calls', {
  id: text('id').primaryKey(),
  action: text('action').notNull(),
  conversationId: text('conversation_id'),
  userId: text('user_id'),
  model: text('model').notNull(),
  /** The chat messages as sent, JSON, after masking. */
  request: text('request').notNull(),
  response: text('response'),
  status: text('status', { enum: ['ok', 'error', 'timeout', 'rate_limited'] }).notNull(),
  error: text('error'),
  promptTokens: integer('prompt_tokens'),
  completionTokens: integer('completion_tokens'),
  latencyMs: integer('latency_ms').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('assistant_calls_created_idx').on(t.createdAt, t.id)]);
