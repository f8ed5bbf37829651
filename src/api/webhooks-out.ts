// Outgoing webhooks (admin): register URLs with event filters, see the delivery log.
// (Inbound platform webhooks are src/api/webhooks.ts.)
import { createRoute, z } from '@hono/zod-openapi';
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, redeliver } from '../domain/integrations/outgoing-webhooks.js';
import { auditAct } from './audit-act.js';
import { router } from './env.js';
import { childPageRoute, deleteRoute, readRoute } from './resource-routes.js';
import { errors, jsonBody, jsonResponse } from './schemas.js';

const Webhook = z.object({ id: z.string(), url: z.string(), events: z.array(z.string()), description: z.string().nullable(), active: z.boolean(), createdAt: z.string().nullable() }).openapi('OutgoingWebhook');
const Delivery = z.object({
  id: z.string().openapi({ description: 'Stable across retries: the X-Parley-Delivery header' }), webhookId: z.string(), eventId: z.number(), eventType: z.string(),
  status: z.enum(['pending', 'delivering', 'delivered', 'failed']), attempts: z.number(), responseCode: z.number().nullable(), lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(), nextAttemptAt: z.string().nullable(), deliveredAt: z.string().nullable(), createdAt: z.string().nullable(),
}).openapi('WebhookDelivery');

export const outgoingWebhookRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'post', path: '/webhooks', tags: ['Outgoing webhooks'], summary: 'Register a URL (admin); the signing secret is shown only in this answer',
    request: jsonBody(z.object({
      url: z.string().url().max(2000).openapi({ example: 'https://example.com/parley-hook' }),
      events: z.array(z.string().min(1).max(100)).min(1).max(50).openapi({ example: ['message.created', 'conversation.updated'], description: 'Event types, "prefix.*" or "*"' }),
      description: z.string().max(500).optional(),
    })),
    responses: { 201: jsonResponse(Webhook.extend({ secret: z.string() }), 'The webhook with its secret'), ...errors } }),
  async (c) => {
    const hook = await createWebhook(c.var.deps, c.var.actor, c.req.valid('json'));
    await auditAct(c, { action: 'webhook.created', targetType: 'webhook', targetId: (hook as { id: string }).id, details: { url: c.req.valid('json').url, events: c.req.valid('json').events } });
    return c.json(hook, 201);
  });

  app.openapi(createRoute({ method: 'get', path: '/webhooks', tags: ['Outgoing webhooks'], summary: 'Registered webhooks (admin)',
    responses: { 200: jsonResponse(z.object({ data: z.array(Webhook), nextCursor: z.null() }), 'Webhooks'), ...errors } }),
  async (c) => c.json({ data: await listWebhooks(c.var.deps, c.var.actor), nextCursor: null }, 200));

  readRoute(app, { path: '/webhooks/{id}', tag: 'Outgoing webhooks', summary: 'One webhook (admin)',
    schema: Webhook, description: 'The webhook', read: getWebhook });

  deleteRoute(app, { path: '/webhooks/{id}', tag: 'Outgoing webhooks', summary: 'Remove a webhook and its delivery log (admin)', description: 'Removed', remove: deleteWebhook, audit: 'webhook' });

  childPageRoute(app, { path: '/webhooks/{id}/deliveries', tag: 'Outgoing webhooks', summary: 'Delivery log, newest first (admin)', item: Delivery, list: listDeliveries });

  app.openapi(createRoute({ method: 'post', path: '/webhooks/{id}/deliveries/{deliveryId}/redeliver', tags: ['Outgoing webhooks'], summary: 'Send a delivery again now, same id and body (admin)',
    request: { params: z.object({ id: z.string(), deliveryId: z.string() }) }, responses: { 200: jsonResponse(Delivery, 'The delivery, queued'), ...errors } }),
  async (c) => c.json(await redeliver(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('param').deliveryId), 200));
  return app;
};
