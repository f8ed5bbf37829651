import { createRoute, z } from '@hono/zod-openapi';
import { listLabels } from '../domain/conversations/labels.js';
import { router } from './env.js';
import { errors, jsonResponse } from './schemas.js';

const LabelSchema = z.object({ label: z.string(), count: z.number().int() }).openapi('LabelCount');

export const labelRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/labels', tags: ['Conversations'], summary: 'Labels in use with conversation counts (visible conversations only); ?q= is a prefix',
    request: { query: z.object({ q: z.string().max(100).optional() }) },
    responses: { 200: jsonResponse(z.object({ data: z.array(LabelSchema), nextCursor: z.null() }), 'Labels, most used first'), ...errors } }),
  async (c) => c.json({ data: await listLabels(c.var.deps, c.var.actor, c.req.valid('query').q), nextCursor: null }, 200));
  return app;
};
