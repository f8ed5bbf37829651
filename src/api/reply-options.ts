// Replying when a channel's window has closed: what the composer may offer (free text, a
// tagged reply, templates only, another channel), the channel's approved templates, and
// "continue on email/SMS".
import { createRoute, z } from '@hono/zod-openapi';
import { getVisibleInboxRow } from '../domain/inboxes/inboxes.js';
import { continueConversation } from '../domain/outbox/continuation.js';
import { replyOptions } from '../domain/outbox/reply-options.js';
import { inboxTemplates } from '../domain/outbox/templates.js';
import { isoString } from '../domain/core/views.js';
import { router } from './env.js';
import { readRoute } from './resource-routes.js';
import { errors, IdParam, jsonBody, jsonResponse, MessageSchema } from './schemas.js';

const Template = z.object({
  name: z.string(), language: z.string(), category: z.string().nullable(), body: z.string(),
  parameters: z.number().openapi({ description: 'How many {{n}} values the body takes' }),
  header: z.object({ format: z.enum(['text', 'image', 'document', 'video']), text: z.string().nullable(), parameters: z.number() }).nullable().optional()
    .openapi({ description: 'text with 0 or 1 {{1}} parameter, or a media header that needs a link (parameters 1)' }),
  footer: z.string().nullable().optional(),
  buttons: z.array(z.object({ index: z.number(), type: z.enum(['quick_reply', 'url', 'phone_number']), text: z.string(), url: z.string().nullable(),
    parameter: z.enum(['payload', 'suffix']).nullable().openapi({ description: 'payload: an optional quick-reply payload; suffix: the required {{1}} end of the URL' }) })).optional(),
}).openapi('ChannelTemplate');
const ContinueOption = z.object({ inboxId: z.string(), inboxName: z.string(), channel: z.string(), address: z.string(), conversationId: z.string().nullable() });
const ReplyOptions = z.object({
  state: z.enum(['open', 'tagged', 'templates_only', 'closed', 'opted_out']).openapi({ description: 'open: free text; tagged: free text sent under `tag`; templates_only: only an approved template; closed/opted_out: no reply on this channel (`reason`)' }),
  closesAt: z.string().nullable(),
  tag: z.string().optional(),
  reason: z.string().optional(),
  templates: z.array(Template).optional(),
  templatesError: z.string().optional(),
  continueOn: z.array(ContinueOption),
}).openapi('ReplyOptions');

export const replyOptionRoutes = () => {
  const app = router();

  readRoute(app, { path: '/conversations/{id}/reply-options', tag: 'Messages', summary: 'How the customer can be answered now (reply window, tag, templates, other channels)',
    schema: ReplyOptions, description: 'Reply options', read: replyOptions });

  app.openapi(createRoute({ method: 'get', path: '/inboxes/{id}/templates', tags: ['Inboxes'], summary: 'Approved message templates of the channel account (cached for an hour; ?refresh=true fetches again)',
    request: { params: IdParam, query: z.object({ refresh: z.enum(['true', 'false']).optional() }) },
    responses: { 200: jsonResponse(z.object({ data: z.array(Template), fetchedAt: z.string(), nextCursor: z.null() }), 'Templates'), ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    await getVisibleInboxRow(c.var.deps, c.var.actor, id);
    const r = await inboxTemplates(c.var.deps, id, { refresh: c.req.valid('query').refresh === 'true' });
    return c.json({ data: r.templates, fetchedAt: isoString(r.fetchedAt), nextCursor: null }, 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/conversations/{id}/continue', tags: ['Messages'], summary: 'Continue on another channel (email, SMS, …): send there and link both conversations',
    request: { params: IdParam, ...jsonBody(z.object({ inboxId: z.string().min(1), content: z.string().trim().min(1).max(65_536) })) },
    responses: { 201: jsonResponse(z.object({ conversationId: z.string(), message: MessageSchema }), 'The reply in the other conversation'), ...errors } }),
  async (c) => c.json(await continueConversation(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201));
  return app;
};
