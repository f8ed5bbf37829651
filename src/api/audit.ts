// GET /audit-log (admin): every admin act, newest first, filtered by actor, action and time.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../domain/core/actor.js';
import { listAudit } from '../domain/core/audit.js';
import { router } from './env.js';
import { errors, jsonResponse, page, PageQuery } from './schemas.js';

const AuditItem = z.object({
  id: z.string(),
  actor: z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() }).nullable().openapi({ description: 'null for acts done with the CLI on the server' }),
  action: z.string().openapi({ example: 'user.role_changed' }),
  targetType: z.string().nullable(), targetId: z.string().nullable(),
  details: z.record(z.string(), z.any()).nullable(),
  clientAddress: z.string().nullable(),
  createdAt: z.string(),
}).openapi('AuditEntry');

const time = z.union([z.string().datetime({ offset: true }), z.coerce.number().int().nonnegative()]).optional();
const toMs = (v: string | number | undefined) => (v == null ? undefined : typeof v === 'number' ? v : Date.parse(v));

export const auditRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/audit-log', tags: ['Access'], summary: 'The audit log, newest first (admin)',
    request: { query: PageQuery.extend({
      actorId: z.string().max(100).optional(),
      action: z.string().max(100).optional().openapi({ description: 'Exact action, or a prefix ending in .* (e.g. user.*)' }),
      since: time.openapi({ description: 'ISO time or epoch ms (inclusive)' }),
      until: time.openapi({ description: 'ISO time or epoch ms (exclusive)' }),
    }) },
    responses: { 200: jsonResponse(page(AuditItem), 'A page'), ...errors } }),
  async (c) => {
    requireRole(c.var.actor, 'admin');
    const q = c.req.valid('query');
    return c.json(await listAudit(c.var.deps, { actorId: q.actorId, action: q.action, since: toMs(q.since), until: toMs(q.until) }, q.limit, q.cursor), 200);
  });
  return app;
};
