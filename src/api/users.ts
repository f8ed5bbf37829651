import { createRoute, z } from '@hono/zod-openapi';
import { createApiToken, createUser, userView } from '../auth/users.js';
import { requireRole } from '../domain/actor.js';
import { notFound } from '../domain/errors.js';
import { router } from './env.js';
import { errors, IdParam, jsonBody, jsonResponse, UserSchema } from './schemas.js';

const CreateUser = z.object({
  email: z.string().trim().email(),
  name: z.string().trim().min(1).max(200),
  role: z.enum(['admin', 'lead', 'agent']),
  password: z.string().min(8).max(200).optional(),
  locale: z.enum(['en', 'zh-CN']).optional(),
}).openapi('CreateUser');

export const userRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'post', path: '/users', tags: ['Users'], summary: 'Create a user and an API token (admin)',
    request: jsonBody(CreateUser), responses: { 201: jsonResponse(UserSchema.extend({ token: z.string() }), 'The user; token is shown once'), ...errors } }),
  async (c) => {
    requireRole(c.var.actor, 'admin');
    const user = await createUser(c.var.deps, c.req.valid('json'));
    const token = await createApiToken(c.var.deps, user.id);
    return c.json({ ...user, token }, 201);
  });

  app.openapi(createRoute({ method: 'get', path: '/users', tags: ['Users'], summary: 'All users',
    responses: { 200: jsonResponse(z.object({ data: z.array(UserSchema), nextCursor: z.null() }), 'Users'), ...errors } }),
  async (c) => {
    const rows = await c.var.deps.store.all('SELECT * FROM users ORDER BY created_at, id');
    return c.json({ data: rows.map(userView), nextCursor: null }, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/me', tags: ['Users'], summary: 'The caller',
    responses: { 200: jsonResponse(UserSchema, 'The caller'), ...errors } }),
  async (c) => {
    const row = await c.var.deps.store.get('SELECT * FROM users WHERE id = ?', [c.var.actor.id]);
    if (!row) throw notFound('User');
    return c.json(userView(row), 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/users/{id}/tokens', tags: ['Users'], summary: 'New API token for a user (admin, or yourself)',
    request: { params: IdParam }, responses: { 201: jsonResponse(z.object({ token: z.string() }), 'Shown once'), ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    if (id !== c.var.actor.id) requireRole(c.var.actor, 'admin');
    if (!(await c.var.deps.store.get('SELECT 1 AS ok FROM users WHERE id = ?', [id]))) throw notFound('User');
    return c.json({ token: await createApiToken(c.var.deps, id) }, 201);
  });
  return app;
};
