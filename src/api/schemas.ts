// Shared zod schemas: they validate requests and generate the OpenAPI document.
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.any().optional() }) }).openapi('Error');

export const errors = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or bad token', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'Not permitted', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Not found', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ description: 'Page size (max 100)' }),
  cursor: z.string().max(500).optional().openapi({ description: 'nextCursor from the previous page' }),
});

export const IdParam = z.object({ id: z.string().min(1).max(100) });

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export const MessageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  direction: z.enum(['in', 'out']),
  private: z.boolean(),
  content: z.string(),
  html: z.string().nullable().optional(),
  sender: z.object({ type: z.enum(['contact', 'user', 'bot']), id: z.string().nullable() }),
  createdAt: z.string(),
  deliveryStatus: z.string().nullable(),
  error: z.string().nullable(),
  externalId: z.string().nullable(),
  attachments: z.array(z.any()),
  automated: z.literal(true).optional(),
  bulk: z.literal(true).optional().openapi({ description: 'Mass mail (mailing list, newsletter; details in meta.bulk): never answered automatically' }),
  edited: z.object({ at: z.string(), edits: z.array(z.object({ content: z.string(), replacedAt: z.string() })) }).optional()
    .openapi({ description: 'The customer edited the message; earlier versions, oldest first' }),
  deleted: z.object({ at: z.string(), by: z.literal('contact'), content: z.string() }).optional()
    .openapi({ description: 'Deleted by the customer: content is empty in lists and search; the original is kept here for the record' }),
  reactions: z.array(z.object({ emoji: z.string(), by: z.string() })).optional(),
  meta: z.record(z.string(), z.any()).optional()
    .openapi({ description: 'What the platform sent besides the text: button/postback payloads, location, contacts, order, share, story, referral…' }),
}).openapi('Message');

export const ConversationSchema = z.object({
  id: z.string(),
  inboxId: z.string(),
  channel: z.string(),
  status: z.string(),
  subject: z.string().nullable(),
  assigneeId: z.string().nullable(),
  teamId: z.string().nullable(),
  origin: z.record(z.string(), z.any()).optional().openapi({ description: 'Where the customer came from (ad, m.me link, click-to-WhatsApp referral)' }),
  linkedConversationIds: z.array(z.string()).optional().openapi({ description: 'GET /conversations/:id: conversations linked to this one ("continue on email/SMS"), those the reader may see' }),
  labels: z.array(z.string()),
  contact: z.object({ id: z.string(), name: z.string().nullable() }),
  lastMessage: z.object({ content: z.string(), direction: z.enum(['in', 'out']).nullable(), private: z.boolean(), createdAt: z.string().nullable() }).nullable(),
  lastActivityAt: z.string().nullable(),
  unreadCount: z.number(),
  messageCount: z.number(),
  snoozeUntil: z.string().nullable(),
  firstReplyAt: z.string().nullable(),
  waitingSince: z.string().nullable(),
  lastIncomingAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  createdAt: z.string().nullable(),
}).passthrough().openapi('Conversation');

export const InboxSchema = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.string(),
  config: z.record(z.string(), z.any()),
  settings: z.record(z.string(), z.any()),
  webhookUrl: z.string().optional(),
  webchatToken: z.string().optional(),
  widgetSnippet: z.string().optional(),
  health: z.string(),
  healthError: z.string().nullable(),
  webhookSkipped: z.array(z.object({ type: z.string(), count: z.number(), lastReason: z.string().nullable(), lastAt: z.string() }))
    .optional().openapi({ description: 'Admins only: items of validly signed webhooks that were skipped (unknown or malformed), per type' }),
  import: z.object({
    state: z.enum(['running', 'paused', 'done']),
    done: z.number().int(), total: z.number().int().nullable(), remaining: z.number().int().nullable(),
    ratePerSecond: z.number(), etaSeconds: z.number().nullable(), startedAt: z.string(), finishedAt: z.string().nullable(),
  }).nullable().optional().openapi({ description: 'A polling inbox\'s backlog import: messages done / total, rate and ETA (total and ETA when the platform can count what is waiting).' }),
  createdAt: z.string(),
}).openapi('Inbox');

export const UserSchema = z.object({
  id: z.string(), email: z.string(), name: z.string(), role: z.enum(['admin', 'lead', 'agent']), availability: z.string().optional(), locale: z.string().optional(),
  disabledAt: z.string().nullable().optional().openapi({ description: 'Set when an admin disabled the user' }),
}).openapi('User');
