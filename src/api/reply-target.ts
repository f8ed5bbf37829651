// Where a conversation's replies go (its channel identity), and the audited act of changing it.
import { createRoute, z } from '@hono/zod-openapi';
import { getReplyTarget, setReplyTarget } from '../domain/outbox/reply-target.js';
import { clientAddress } from './client-address.js';
import { router } from './env.js';
import { readRoute } from './resource-routes.js';
import { errors, IdParam, jsonBody, jsonResponse } from './schemas.js';

const ReplyTarget = z.object({ identityId: z.string(), channel: z.string(), externalId: z.string().openapi({ description: 'The address replies go to (email address, phone number, platform user id)' }), handle: z.string().nullable() }).openapi('ReplyTarget');

export const replyTargetRoutes = () => {
  const app = router();
  readRoute(app, { path: '/conversations/{id}/reply-target', tag: 'Conversations', summary: 'Where replies to this conversation go',
    schema: ReplyTarget, description: 'The identity replies go to', read: getReplyTarget });

  app.openapi(createRoute({ method: 'post', path: '/conversations/{id}/reply-target', tags: ['Conversations'],
    summary: 'Send this conversation\'s replies to another address on its channel (admin or lead; audited)',
    request: { params: IdParam, ...jsonBody(z.object({ externalId: z.string().min(1).max(320) }).openapi('ReplyTargetChange')) },
    responses: { 200: jsonResponse(ReplyTarget, 'The new reply target'), ...errors } }),
  async (c) => {
    const { deps, actor } = c.var;
    return c.json(await setReplyTarget(deps, actor, { actor, clientAddress: clientAddress(c, deps) }, c.req.valid('param').id, c.req.valid('json').externalId), 200);
  });
  return app;
};
