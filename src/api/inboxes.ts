import { createRoute, z } from '@hono/zod-openapi';
import { addInboxMembers, createInbox, updateInbox, getInboxRow, inboxView, listInboxes, listInboxMembers, removeInboxMember } from '../domain/inboxes.js';
import { canSeeInbox } from '../domain/actor.js';
import { notFound } from '../domain/errors.js';
import { setImportPaused } from '../domain/import-progress.js';
import { router } from './env.js';
import { webhookSkipsFor } from '../domain/webhook-skips.js';
import { errors, IdParam, InboxSchema, jsonBody, jsonResponse } from './schemas.js';

const CreateInbox = z.object({
  name: z.string().trim().min(1).max(200),
  channel: z.string().openapi({ example: 'webchat', description: 'webchat | email | twitter | messenger | instagram | whatsapp | telegram | sms | api' }),
  config: z.record(z.string(), z.any()).default({}),
  settings: z.record(z.string(), z.any()).optional(),
}).openapi('CreateInbox');

const Members = z.object({ inboxId: z.string(), userIds: z.array(z.string()) });

export const inboxRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'post', path: '/inboxes', tags: ['Inboxes'], summary: 'Create an inbox (admin)',
    request: jsonBody(CreateInbox), responses: { 201: jsonResponse(InboxSchema, 'The inbox'), ...errors } }),
  async (c) => c.json(await createInbox(c.var.deps, c.var.actor, c.req.valid('json')) as never, 201));

  app.openapi(createRoute({ method: 'get', path: '/inboxes', tags: ['Inboxes'], summary: 'Inboxes the caller may see',
    responses: { 200: jsonResponse(z.object({ data: z.array(InboxSchema), nextCursor: z.null() }), 'Inboxes'), ...errors } }),
  async (c) => {
    const data = await listInboxes(c.var.deps, c.var.actor);
    const skips = await webhookSkipsFor(c.var.deps, c.var.actor, data.map((i) => i.id));
    return c.json({ data: data.map((i) => (skips.has(i.id) ? { ...i, webhookSkipped: skips.get(i.id) } : i)), nextCursor: null } as never, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/inboxes/{id}', tags: ['Inboxes'], summary: 'One inbox',
    request: { params: IdParam }, responses: { 200: jsonResponse(InboxSchema, 'The inbox'), ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    if (!(await canSeeInbox(c.var.deps, c.var.actor, id))) throw notFound('Inbox');
    const view = inboxView(c.var.deps, await getInboxRow(c.var.deps, id));
    const skips = (await webhookSkipsFor(c.var.deps, c.var.actor, [id])).get(id);
    return c.json((skips ? { ...view, webhookSkipped: skips } : view) as never, 200);
  });

  app.openapi(createRoute({ method: 'patch', path: '/inboxes/{id}', tags: ['Inboxes'], summary: 'Rename, change config, merge settings (admin)',
    request: { params: IdParam, ...jsonBody(z.object({ name: z.string().trim().min(1).max(200).optional(), config: z.record(z.string(), z.any()).optional(), settings: z.record(z.string(), z.any()).optional() })) },
    responses: { 200: jsonResponse(InboxSchema, 'The inbox'), ...errors } }),
  async (c) => c.json(await updateInbox(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json')) as never, 200));

  app.openapi(createRoute({ method: 'post', path: '/inboxes/{id}/members', tags: ['Inboxes'], summary: 'Add members (admin)',
    request: { params: IdParam, ...jsonBody(z.object({ userIds: z.array(z.string().min(1)).min(1).max(500) })) },
    responses: { 200: jsonResponse(Members, 'Members now'), ...errors } }),
  async (c) => c.json(await addInboxMembers(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json').userIds), 200));

  app.openapi(createRoute({ method: 'get', path: '/inboxes/{id}/members', tags: ['Inboxes'], summary: 'List members',
    request: { params: IdParam }, responses: { 200: jsonResponse(Members, 'Members'), ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    if (!(await canSeeInbox(c.var.deps, c.var.actor, id))) throw notFound('Inbox');
    await getInboxRow(c.var.deps, id);
    return c.json(await listInboxMembers(c.var.deps, id), 200);
  });

  app.openapi(createRoute({ method: 'delete', path: '/inboxes/{id}/members/{userId}', tags: ['Inboxes'], summary: 'Remove a member (admin)',
    request: { params: z.object({ id: z.string(), userId: z.string() }) }, responses: { 200: jsonResponse(Members, 'Members now'), ...errors } }),
  async (c) => c.json(await removeInboxMember(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('param').userId), 200));
  for (const action of ['pause', 'resume'] as const) {
    app.openapi(createRoute({ method: 'post', path: `/inboxes/{id}/import/${action}`, tags: ['Inboxes'],
      summary: action === 'pause' ? 'Pause the backlog import: the inbox stops polling until resumed (admin)' : 'Resume a paused import (admin)',
      request: { params: IdParam }, responses: { 200: jsonResponse(InboxSchema, 'The inbox'), ...errors } }),
    async (c) => c.json(await setImportPaused(c.var.deps, c.var.actor, c.req.valid('param').id, action === 'pause') as never, 200));
  }
  return app;
};
