// Users: the directory (full for admins and leads; names only for agents), creating users,
// API tokens (list, create with an optional expiry, revoke), role changes and disabling.
import { createRoute, z } from '@hono/zod-openapi';
import { disableUser, enableUser, listTokens, revokeToken, updateUser } from '../auth/user-admin.js';
import { createUser, issueApiToken, teammateView, userView } from '../auth/users.js';
import { requireRole } from '../domain/core/actor.js';
import { auditStmt } from '../domain/core/audit.js';
import { AppError, notFound } from '../domain/core/errors.js';
import { auditAct, auditBy } from './audit-act.js';
import { router } from './env.js';
import { errors, IdParam, jsonBody, jsonResponse, UserSchema } from './schemas.js';
import { userById, userDirectory } from '../auth/user-directory.js';

const Role = z.enum(['admin', 'lead', 'agent']);
const CreateUser = z.object({
  email: z.string().trim().email(),
  name: z.string().trim().min(1).max(200),
  role: Role,
  password: z.string().min(8).max(200).optional(),
  locale: z.enum(['en', 'zh-CN']).optional(),
}).openapi('CreateUser');
const Teammate = z.object({ id: z.string(), name: z.string(), availability: z.string().optional() }).openapi('Teammate');
const UserPatch = z.object({ role: Role.optional(), name: z.string().trim().min(1).max(200).optional(), password: z.string().min(8).max(200).optional() }).openapi('UserPatch');
const NewToken = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  expiresAt: z.union([z.string().datetime({ offset: true }), z.number().int().positive()]).optional().openapi({ description: 'ISO time or epoch ms; the token stops working then' }),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
}).openapi('NewToken');
const TokenInfo = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable(), expiresAt: z.string().nullable(), expired: z.boolean() }).openapi('TokenInfo');
const UserTokenParams = z.object({ id: z.string().min(1).max(100), tokenId: z.string().min(1).max(100) });

export const userRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'post', path: '/users', tags: ['Users'], summary: 'Create a user and an API token (admin)',
    request: jsonBody(CreateUser), responses: { 201: jsonResponse(UserSchema.extend({ token: z.string() }), 'The user; token is shown once'), ...errors } }),
  async (c) => {
    requireRole(c.var.actor, 'admin');
    const b = c.req.valid('json');
    const user = await createUser(c.var.deps, b);
    const { token } = await issueApiToken(c.var.deps, user.id, 'default', { extra: [auditStmt(c.var.deps, auditBy(c), { action: 'user.created', targetType: 'user', targetId: user.id, details: { email: user.email, role: user.role } })] });
    return c.json({ ...user, token }, 201);
  });

  app.openapi(createRoute({ method: 'get', path: '/users', tags: ['Users'],
    summary: 'Admins and leads: every user with email, role and disabledAt. Agents: the teammates they share an inbox or team with (id, name, availability) and the admins and leads',
    responses: { 200: jsonResponse(z.object({ data: z.array(z.union([UserSchema, Teammate])), nextCursor: z.null() }), 'Users'), ...errors } }),
  async (c) => {
    const { full, rows } = await userDirectory(c.var.deps, c.var.actor);
    return c.json({ data: rows.map(full ? userView : teammateView), nextCursor: null }, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/me', tags: ['Users'], summary: 'The caller',
    responses: { 200: jsonResponse(UserSchema, 'The caller'), ...errors } }),
  async (c) => {
    const row = await userById(c.var.deps, c.var.actor.id);
    if (!row) throw notFound('User');
    return c.json(userView(row), 200);
  });

  app.openapi(createRoute({ method: 'patch', path: '/users/{id}', tags: ['Users'], summary: 'Change a user\'s role, name or password (admin; audited; a new password ends their sessions)',
    request: { params: IdParam, ...jsonBody(UserPatch) }, responses: { 200: jsonResponse(UserSchema, 'The user'), ...errors } }),
  async (c) => c.json(userView(await updateUser(c.var.deps, c.var.actor, auditBy(c), c.req.valid('param').id, c.req.valid('json'))), 200));

  app.openapi(createRoute({ method: 'post', path: '/users/{id}/disable', tags: ['Users'],
    summary: 'Disable a user (admin): their tokens and sessions stop at once, their open conversations go back to the queue',
    request: { params: IdParam }, responses: { 200: jsonResponse(UserSchema.extend({ releasedConversations: z.array(z.string()) }), 'The user'), ...errors } }),
  async (c) => {
    const { user, released } = await disableUser(c.var.deps, c.var.actor, auditBy(c), c.req.valid('param').id);
    return c.json({ ...userView(user), releasedConversations: released }, 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/users/{id}/enable', tags: ['Users'], summary: 'Enable a disabled user again (admin; they need a new token or login)',
    request: { params: IdParam }, responses: { 200: jsonResponse(UserSchema, 'The user'), ...errors } }),
  async (c) => c.json(userView(await enableUser(c.var.deps, c.var.actor, auditBy(c), c.req.valid('param').id)), 200));

  app.openapi(createRoute({ method: 'get', path: '/users/{id}/tokens', tags: ['Users'], summary: 'A user\'s API tokens, never their values (admin, or yourself)',
    request: { params: IdParam }, responses: { 200: jsonResponse(z.object({ data: z.array(TokenInfo), nextCursor: z.null() }), 'Tokens'), ...errors } }),
  async (c) => c.json({ data: await listTokens(c.var.deps, c.var.actor, c.req.valid('param').id), nextCursor: null }, 200));

  app.openapi(createRoute({ method: 'post', path: '/users/{id}/tokens', tags: ['Users'], summary: 'New API token for a user (admin, or yourself), optionally expiring',
    request: { params: IdParam, body: { content: { 'application/json': { schema: NewToken } }, required: false } },
    responses: { 201: jsonResponse(z.object({ token: z.string(), id: z.string(), expiresAt: z.string().nullable() }), 'Shown once'), ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    const { deps, actor } = c.var;
    if (id !== actor.id) requireRole(actor, 'admin');
    const user = await userById(deps, id);
    if (!user) throw notFound('User');
    if (user.disabled_at) throw new AppError(409, 'user_disabled', 'This user is disabled; enable them first');
    const b = (c.req.header('content-type')?.includes('json') ? c.req.valid('json') : undefined) ?? {};
    const expiresAt = b.expiresAt != null ? (typeof b.expiresAt === 'number' ? b.expiresAt : Date.parse(b.expiresAt))
      : b.expiresInDays ? deps.clock.now() + b.expiresInDays * 86_400_000 : null;
    if (expiresAt != null && expiresAt <= deps.clock.now()) throw new AppError(400, 'invalid_request', 'expiresAt must be in the future');
    const name = b.name ?? 'default';
    const issued = await issueApiToken(deps, id, name, { expiresAt, extra: [] });
    await auditAct(c, { action: 'token.created', targetType: 'user', targetId: id, details: { tokenId: issued.id, name, expiresAt } });
    return c.json({ token: issued.token, id: issued.id, expiresAt: expiresAt == null ? null : new Date(expiresAt).toISOString() }, 201);
  });

  app.openapi(createRoute({ method: 'delete', path: '/users/{id}/tokens/{tokenId}', tags: ['Users'], summary: 'Revoke an API token at once (admin, or yourself)',
    request: { params: UserTokenParams }, responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), 'Revoked'), ...errors } }),
  async (c) => {
    const { id, tokenId } = c.req.valid('param');
    await revokeToken(c.var.deps, c.var.actor, auditBy(c), id, tokenId);
    return c.json({ ok: true }, 200);
  });
  return app;
};
