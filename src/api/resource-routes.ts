// Route shapes several resources share, so each is documented and answered one way: reading
// about one by id, deleting one (204, audited where the resource's admin acts are) and paging
// what belongs to one (a thread, a timeline, a delivery log). The domain call scopes the id by
// the actor.
import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Actor } from '../domain/core/actor.js';
import type { Page } from '../domain/core/paging.js';
import type { Deps } from '../domain/deps.js';
import { auditAct } from './audit-act.js';
import type { AppEnv } from './env.js';
import { errors, IdParam, jsonResponse, page, PageQuery } from './schemas.js';

/** Where a route is and how the OpenAPI document lists it. */
interface RouteText { path: string; tag: string; summary: string }

/**
 * DELETE `path` (with `{id}`) -> 204. With `audit`, the act is recorded as `<audit>.deleted`
 * on that target type and id once the domain has removed it.
 */
export function deleteRoute(app: OpenAPIHono<AppEnv>, r: RouteText & {
  remove: (deps: Deps, actor: Actor, id: string) => Promise<void>; audit?: string; description?: string;
}) {
  app.openapi(createRoute({ method: 'delete', path: r.path, tags: [r.tag], summary: r.summary,
    request: { params: IdParam }, responses: { 204: { description: r.description ?? 'Deleted' }, ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    await r.remove(c.var.deps, c.var.actor, id);
    if (r.audit) await auditAct(c, { action: `${r.audit}.deleted`, targetType: r.audit, targetId: id });
    return c.body(null, 204);
  });
}

/** GET `path` (with `{id}`) -> 200 `schema`: what the domain reads for the actor about that resource. */
export function readRoute<T extends z.ZodType>(app: OpenAPIHono<AppEnv>, r: RouteText & {
  schema: T; description: string; read: (deps: Deps, actor: Actor, id: string) => Promise<z.output<T>>;
}) {
  app.openapi(createRoute({ method: 'get', path: r.path, tags: [r.tag], summary: r.summary,
    request: { params: IdParam }, responses: { 200: jsonResponse(r.schema, r.description), ...errors } }),
  async (c) => c.json(await r.read(c.var.deps, c.var.actor, c.req.valid('param').id), 200));
}

/** GET `path` (with `{id}`) `?limit=&cursor=` -> a page of `item`s belonging to that resource. */
export function childPageRoute<T extends z.ZodType>(app: OpenAPIHono<AppEnv>, r: RouteText & {
  item: T; list: (deps: Deps, actor: Actor, id: string, limit: number, cursor?: string) => Promise<Page<z.output<T>>>;
}) {
  app.openapi(createRoute({ method: 'get', path: r.path, tags: [r.tag], summary: r.summary,
    request: { params: IdParam, query: PageQuery }, responses: { 200: jsonResponse(page(r.item), 'A page'), ...errors } }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await r.list(c.var.deps, c.var.actor, c.req.valid('param').id, limit, cursor), 200);
  });
}
