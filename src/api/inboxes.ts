import { createRoute, z } from '@hono/zod-openapi';
import { addInboxMembers, createInbox, updateInbox, getVisibleInboxRow, inboxView, listInboxes, listInboxMembers, removeInboxMember } from '../domain/inboxes/inboxes.js';
import { auditAct } from './audit-act.js';
import { setImportPaused } from '../domain/ingest/import-progress.js';
import { router } from './env.js';
import { webhookSkipsFor } from '../domain/ingest/webhook-skips.js';
import { errors, IdParam, InboxSchema, jsonBody, jsonResponse } from './schemas.js';

// The channel list in the spec is the registry's, so a new connector shows up here too.
const createInboxSchema = (kinds: readonly string[]) => z.object({
  name: z.string().trim().min(1).max(200),
  channel: z.string().openapi({ example: 'webchat', description: `A kind GET /api/v1/channels lists: ${kinds.join(' | ')}` }),
  config: z.record(z.string(), z.any()).default({}).openapi({ description: "The channel's config (its configSchema in GET /api/v1/channels)" }),
  settings: z.record(z.string(), z.any()).optional(),
}).openapi('CreateInbox');

const Members = z.object({ inboxId: z.string(), userIds: z.array(z.string()) });

export const inboxRoutes = (kinds: readonly string[]) => {
  const app = router();
  const CreateInbox = createInboxSchema(kinds);
  app.openapi(createRoute({ method: 'post', path: '/inboxes', tags: ['Inboxes'], summary: 'Create an inbox (admin)',
    request: jsonBody(CreateInbox), responses: { 201: jsonResponse(InboxSchema, 'The inbox'), ...errors } }),
  async (c) => {
    const b = c.req.valid('json');
    const inbox = await createInbox(c.var.deps, c.var.actor, b);
    // Key names only: config values hold secrets.
    await auditAct(c, { action: 'inbox.created', targetType: 'inbox', targetId: (inbox as { id: string }).id, details: { name: b.name, channel: b.channel, configKeys: Object.keys(b.config) } });
    return c.json(inbox, 201);
  });

  app.openapi(createRoute({ method: 'get', path: '/inboxes', tags: ['Inboxes'], summary: 'Inboxes the caller may see',
    responses: { 200: jsonResponse(z.object({ data: z.array(InboxSchema), nextCursor: z.null() }), 'Inboxes'), ...errors } }),
  async (c) => {
    const data = await listInboxes(c.var.deps, c.var.actor);
    const skips = await webhookSkipsFor(c.var.deps, c.var.actor, data.map((i) => i.id));
    return c.json({ data: data.map((i) => (skips.has(i.id) ? { ...i, webhookSkipped: skips.get(i.id) } : i)), nextCursor: null }, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/inboxes/{id}', tags: ['Inboxes'], summary: 'One inbox',
    request: { params: IdParam }, responses: { 200: jsonResponse(InboxSchema, 'The inbox'), ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    const view = inboxView(c.var.deps, await getVisibleInboxRow(c.var.deps, c.var.actor, id));
    const skips = (await webhookSkipsFor(c.var.deps, c.var.actor, [id])).get(id);
    return c.json((skips ? { ...view, webhookSkipped: skips } : view), 200);
  });

  app.openapi(createRoute({ method: 'patch', path: '/inboxes/{id}', tags: ['Inboxes'], summary: 'Rename, change config, merge settings (admin)',
    request: { params: IdParam, ...jsonBody(z.object({ name: z.string().trim().min(1).max(200).optional(), config: z.record(z.string(), z.any()).optional(), settings: z.record(z.string(), z.any()).optional() })) },
    responses: { 200: jsonResponse(InboxSchema, 'The inbox'), ...errors } }),
  async (c) => {
    const b = c.req.valid('json');
    const inbox = await updateInbox(c.var.deps, c.var.actor, c.req.valid('param').id, b);
    await auditAct(c, { action: 'inbox.updated', targetType: 'inbox', targetId: c.req.valid('param').id,
      details: { ...(b.name ? { name: b.name } : {}), ...(b.config ? { configKeys: Object.keys(b.config) } : {}), ...(b.settings ? { settingsKeys: Object.keys(b.settings) } : {}) } });
    return c.json(inbox, 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/inboxes/{id}/members', tags: ['Inboxes'], summary: 'Add members (admin)',
    request: { params: IdParam, ...jsonBody(z.object({ userIds: z.array(z.string().min(1)).min(1).max(500) })) },
    responses: { 200: jsonResponse(Members, 'Members now'), ...errors } }),
  async (c) => {
    const { userIds } = c.req.valid('json');
    const members = await addInboxMembers(c.var.deps, c.var.actor, c.req.valid('param').id, userIds);
    await auditAct(c, { action: 'inbox.members_added', targetType: 'inbox', targetId: c.req.valid('param').id, details: { userIds } });
    return c.json(members, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/inboxes/{id}/members', tags: ['Inboxes'], summary: 'List members',
    request: { params: IdParam }, responses: { 200: jsonResponse(Members, 'Members'), ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    await getVisibleInboxRow(c.var.deps, c.var.actor, id);
    return c.json(await listInboxMembers(c.var.deps, id), 200);
  });

  app.openapi(createRoute({ method: 'delete', path: '/inboxes/{id}/members/{userId}', tags: ['Inboxes'], summary: 'Remove a member (admin)',
    request: { params: z.object({ id: z.string(), userId: z.string() }) }, responses: { 200: jsonResponse(Members, 'Members now'), ...errors } }),
  async (c) => {
    const { id, userId } = c.req.valid('param');
    const members = await removeInboxMember(c.var.deps, c.var.actor, id, userId);
    await auditAct(c, { action: 'inbox.member_removed', targetType: 'inbox', targetId: id, details: { userId } });
    return c.json(members, 200);
  });
  for (const action of ['pause', 'resume'] as const) {
    app.openapi(createRoute({ method: 'post', path: `/inboxes/{id}/import/${action}`, tags: ['Inboxes'],
      summary: action === 'pause' ? 'Pause the backlog import: the inbox stops polling until resumed (admin)' : 'Resume a paused import (admin)',
      request: { params: IdParam }, responses: { 200: jsonResponse(InboxSchema, 'The inbox'), ...errors } }),
    async (c) => {
      const { id } = c.req.valid('param');
      const inbox = await setImportPaused(c.var.deps, c.var.actor, id, action === 'pause');
      await auditAct(c, { action: `inbox.import_${action === 'pause' ? 'paused' : 'resumed'}`, targetType: 'inbox', targetId: id });
      return c.json(inbox, 200);
    });
  }
  return app;
};
