import { createRoute, z } from '@hono/zod-openapi';
import { createCanned, deleteCanned, getCanned, listCanned, renderCanned, updateCanned } from '../domain/workflow/canned.js';
import { router } from './env.js';
import { deleteRoute } from './resource-routes.js';
import { errors, IdParam, jsonBody, jsonResponse, page, PageQuery } from './schemas.js';

const CannedSchema = z.object({
  id: z.string(), shortCode: z.string(), content: z.string(), createdBy: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
}).openapi('CannedResponse');
const ShortCode = z.string().trim().min(1).max(65).openapi({ example: 'refund', description: 'Typed as /refund; letters, digits, _ - .' });
const Content = z.string().min(1).max(10_000).openapi({ example: 'Hi {{contact.name}}, this is {{agent.name}} from {{inbox.name}}.' });

export const cannedRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/canned-responses', tags: ['Canned responses'], summary: 'Canned responses by shortCode; ?q= is a shortCode prefix (the "/" picker)',
    request: { query: PageQuery.extend({ q: z.string().max(65).optional() }) }, responses: { 200: jsonResponse(page(CannedSchema), 'A page'), ...errors } }),
  async (c) => {
    const { q, limit, cursor } = c.req.valid('query');
    return c.json(await listCanned(c.var.deps, q, limit, cursor), 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/canned-responses', tags: ['Canned responses'], summary: 'Create (lead, admin)',
    request: jsonBody(z.object({ shortCode: ShortCode, content: Content })), responses: { 201: jsonResponse(CannedSchema, 'Created'), ...errors } }),
  async (c) => c.json(await createCanned(c.var.deps, c.var.actor, c.req.valid('json')), 201));

  app.openapi(createRoute({ method: 'get', path: '/canned-responses/{id}', tags: ['Canned responses'], summary: 'One canned response',
    request: { params: IdParam }, responses: { 200: jsonResponse(CannedSchema, 'The canned response'), ...errors } }),
  async (c) => c.json(await getCanned(c.var.deps, c.req.valid('param').id), 200));

  app.openapi(createRoute({ method: 'patch', path: '/canned-responses/{id}', tags: ['Canned responses'], summary: 'Change (lead, admin)',
    request: { params: IdParam, ...jsonBody(z.object({ shortCode: ShortCode.optional(), content: Content.optional() })) },
    responses: { 200: jsonResponse(CannedSchema, 'Updated'), ...errors } }),
  async (c) => c.json(await updateCanned(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));

  deleteRoute(app, { path: '/canned-responses/{id}', tag: 'Canned responses', summary: 'Delete (lead, admin)', remove: deleteCanned });

  app.openapi(createRoute({ method: 'get', path: '/conversations/{id}/canned-responses/{shortCode}/render', tags: ['Canned responses'],
    summary: 'Render /shortCode for a conversation: {{contact.name}}, {{contact.email}}, {{contact.phone}}, {{agent.name}}, {{agent.email}}, {{conversation.id}}, {{inbox.name}}',
    request: { params: z.object({ id: z.string().min(1).max(100), shortCode: z.string().min(1).max(65) }) },
    responses: { 200: jsonResponse(z.object({ id: z.string(), shortCode: z.string(), content: z.string() }), 'The filled-in text'), ...errors } }),
  async (c) => {
    const { id, shortCode } = c.req.valid('param');
    return c.json(await renderCanned(c.var.deps, c.var.actor, id, shortCode), 200);
  });
  return app;
};
