// FAQ articles (workflow-service): suggested to agents and answered by the after-hours bot.
// Full-text search lives in faq_fts (trigram, see the faq_fts migration), kept by triggers.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { conversations } from '../schema.js';

export const faqArticles = sqliteTable('faq_articles', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  tags: text('tags', { mode: 'json' }).notNull().$type<string[]>().default(sql`'[]'`),
  locale: text('locale', { enum: ['zh-CN', 'en'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('faq_articles_updated_idx').on(t.updatedAt, t.id)]);

// When the bot last answered a conversation: claimed atomically so it answers once per 12 h.
export const botAnswers = sqliteTable('bot_answers', {
  conversationId: text('conversation_id').primaryKey().references(() => conversations.id, { onDelete: 'cascade' }),
  answeredAt: integer('answered_at').notNull(),
});
