import { visibleLinkedIds } from '../domain/conversations/links.js';
import { createRoute, z } from '@hono/zod-openapi';
import { assignConversation, getVisibleConversation, listConversations, markRead, setConversationLabels, setConversationStatus, STATUSES } from '../domain/conversations/conversations.js';
import { listConversationMessages, postAgentMessage, retryMessage } from '../domain/conversations/messages.js';
import type { TemplateInput } from '../domain/outbox/templates.js';
import { TemplateBody, templateFromField } from './template-input.js';
import { conversationView } from '../domain/core/views.js';
import type { ConversationFilter } from '../domain/conversations/conversations.js';
import { router } from './env.js';
import { childPageRoute } from './resource-routes.js';
import { ConversationSchema, errors, IdParam, jsonBody, jsonResponse, MessageSchema, page, PageQuery } from './schemas.js';
import { isMultipart, MessageForm, postInputFromForm, type FormInput } from './upload-form.js';
import { AppError } from '../domain/core/errors.js';

const ListQuery = PageQuery.extend({
  status: z.string().regex(/^(open|pending|snoozed|resolved)(,(open|pending|snoozed|resolved))*$/, 'status must be open, pending, snoozed or resolved (comma-separated)').optional(),
  assignee: z.string().max(100).optional().openapi({ description: 'me | none | <userId>' }),
  inboxId: z.string().max(100).optional(),
  teamId: z.string().max(100).optional(),
  label: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
  contactId: z.string().max(100).optional(),
  sla: z.enum(['breached', 'warning']).optional().openapi({ description: 'SLA state' }),
});

const StatusBody = z.object({
  status: z.enum(STATUSES),
  snoozeUntil: z.union([z.string().datetime({ offset: true }), z.number().int().positive()]).optional().openapi({ description: 'ISO time or epoch ms; required for snoozed' }),
});

/** The agent's multipart reply: the shared form plus a template (JSON text) whose media header is the attached file. */
const AgentMessageForm = MessageForm.extend({ template: z.string().max(20_000).optional().openapi({ description: 'JSON of `template` (as in the JSON body); its media header may be the one attached file' }) });

export const conversationRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/conversations', tags: ['Conversations'], summary: 'Conversations, newest activity first',
    request: { query: ListQuery }, responses: { 200: jsonResponse(page(ConversationSchema), 'A page'), ...errors } }),
  async (c) => {
    const q = c.req.valid('query');
    const f: ConversationFilter = {
      status: q.status?.split(',') as ConversationFilter['status'], assignee: q.assignee, inboxId: q.inboxId, teamId: q.teamId,
      label: q.label, q: q.q?.trim() || undefined, contactId: q.contactId, sla: q.sla,
    };
    return c.json(await listConversations(c.var.deps, c.var.actor, f, q.limit, q.cursor), 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/conversations/{id}', tags: ['Conversations'], summary: 'One conversation',
    request: { params: IdParam }, responses: { 200: jsonResponse(ConversationSchema, 'The conversation'), ...errors } }),
  async (c) => {
    const { deps, actor } = c.var;
    const row = await getVisibleConversation(deps, actor, c.req.valid('param').id);
    return c.json({ ...conversationView(row), linkedConversationIds: await visibleLinkedIds(deps, actor, row.id) }, 200);
  });

  childPageRoute(app, { path: '/conversations/{id}/messages', tag: 'Messages', summary: 'The thread, oldest first', item: MessageSchema, list: listConversationMessages });

  app.openapi(createRoute({ method: 'post', path: '/conversations/{id}/read', tags: ['Conversations'], summary: 'Mark the thread read (reading it with GET changes nothing)',
    request: { params: IdParam }, responses: { 200: jsonResponse(ConversationSchema, 'The conversation, unreadCount 0'), ...errors } }),
  async (c) => c.json(await markRead(c.var.deps, c.var.actor, c.req.valid('param').id), 200));

  app.openapi(createRoute({ method: 'post', path: '/conversations/{id}/messages', tags: ['Messages'], summary: 'Reply or add a private note',
    description: 'JSON `{content, private?, template?}`, or `multipart/form-data` with `content`, `private` and one or more `files`. Files the channel cannot take (type, size, count, caption length: the connector\'s limits) are refused at once with 422 naming the file and the limit.',
    // Not `required`: each media type's validator then runs only for its own Content-Type.
    request: { params: IdParam, body: { required: false, content: {
      'application/json': { schema: z.object({
        content: z.string().max(65_536).default(''),
        private: z.boolean().optional(),
        template: TemplateBody.optional()
          .openapi({ description: 'Send an approved message template (WhatsApp; the only reply outside the 24-hour window). What each template needs is in `GET /inboxes/:id/templates`. Its rendered text (header, body, footer, button labels) is stored as the content; the values in `meta.template`' }),
      }).refine((b) => b.template || b.content.trim().length > 0, { message: 'content must not be empty', path: ['content'] }) },
      'multipart/form-data': { schema: AgentMessageForm },
    } } },
    responses: { 201: jsonResponse(MessageSchema, 'The message (replies start queued)'), ...errors } }),
  async (c) => {
    const form = isMultipart(c) ? c.req.valid('form') as FormInput & { template?: string } : null;
    const input = form ? { ...await postInputFromForm(form), template: templateFromField(form.template) } : c.req.valid('json') as { content: string; private?: boolean; template?: TemplateInput };
    if (typeof input.content !== 'string') throw new AppError(400, 'invalid_request', 'Send JSON {content, private?} or multipart/form-data with content and files');
    return c.json(await postAgentMessage(c.var.deps, c.var.actor, c.req.valid('param').id, input), 201);
  });

  app.openapi(createRoute({ method: 'post', path: '/messages/{id}/retry', tags: ['Messages'], summary: 'Queue a failed reply again',
    request: { params: IdParam }, responses: { 200: jsonResponse(MessageSchema, 'The message, queued'), ...errors } }),
  async (c) => c.json(await retryMessage(c.var.deps, c.var.actor, c.req.valid('param').id), 200));

  app.openapi(createRoute({ method: 'post', path: '/conversations/{id}/assign', tags: ['Conversations'], summary: 'Assign to an agent and/or team',
    request: { params: IdParam, ...jsonBody(z.object({ assigneeId: z.string().nullable().optional(), teamId: z.string().nullable().optional() })) },
    responses: { 200: jsonResponse(ConversationSchema, 'The conversation'), ...errors } }),
  async (c) => c.json(await assignConversation(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));

  app.openapi(createRoute({ method: 'post', path: '/conversations/{id}/status', tags: ['Conversations'], summary: 'Open, pend, snooze or resolve',
    request: { params: IdParam, ...jsonBody(StatusBody) }, responses: { 200: jsonResponse(ConversationSchema, 'The conversation'), ...errors } }),
  async (c) => {
    const b = c.req.valid('json');
    const until = b.snoozeUntil == null ? undefined : typeof b.snoozeUntil === 'number' ? b.snoozeUntil : Date.parse(b.snoozeUntil);
    return c.json(await setConversationStatus(c.var.deps, c.var.actor, c.req.valid('param').id, b.status, until), 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/conversations/{id}/labels', tags: ['Conversations'], summary: 'Set the labels',
    request: { params: IdParam, ...jsonBody(z.object({ labels: z.array(z.string().min(1).max(100)).max(50) })) },
    responses: { 200: jsonResponse(ConversationSchema, 'The conversation'), ...errors } }),
  async (c) => c.json(await setConversationLabels(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json').labels), 200));
  return app;
};
