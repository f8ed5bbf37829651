// Web sessions: list your browsers and end them (one, or all but this one), change your
// password (every other session ends); admins list and end anyone's sessions.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { changeOwnPassword, endSessions, listSessions } from '../auth/user-admin.js';
import { sessionFromRequest } from '../auth/sessions.js';
import { requireRole } from '../domain/core/actor.js';
import { auditBy } from './audit-act.js';
import { router, type AppEnv } from './env.js';
import { errors, IdParam, jsonBody, jsonResponse } from './schemas.js';

const SessionItem = z.object({ id: z.string(), createdAt: z.string(), expiresAt: z.string(), userAgent: z.string().nullable(), clientAddress: z.string().nullable(), current: z.boolean() }).openapi('SessionItem');
const Sessions = z.object({ data: z.array(SessionItem), nextCursor: z.null() });
const Ended = z.object({ ended: z.number() });
const SessionParam = z.object({ sessionId: z.string().min(1).max(100) });

/** The id of the cookie session this request came with, if it is the caller's. */
async function currentSessionId(c: Context<AppEnv>): Promise<string | null> {
  const s = await sessionFromRequest(c.var.deps, c.req.raw);
  return s && s.userId === c.var.actor.id ? s.id : null;
}

export const userSessionRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/me/sessions', tags: ['Session'], summary: 'Your web sessions (current marks this browser)',
    responses: { 200: jsonResponse(Sessions, 'Sessions'), ...errors } }),
  async (c) => c.json({ data: await listSessions(c.var.deps, c.var.actor, c.var.actor.id, await currentSessionId(c)), nextCursor: null }, 200));

  app.openapi(createRoute({ method: 'delete', path: '/me/sessions/{sessionId}', tags: ['Session'], summary: 'End one of your sessions',
    request: { params: SessionParam }, responses: { 200: jsonResponse(Ended, 'Ended'), ...errors } }),
  async (c) => c.json(await endSessions(c.var.deps, c.var.actor, auditBy(c), c.var.actor.id, c.req.valid('param').sessionId, null), 200));

  app.openapi(createRoute({ method: 'post', path: '/me/sessions/end-others', tags: ['Session'], summary: 'End every session of yours but this one',
    responses: { 200: jsonResponse(Ended, 'How many ended'), ...errors } }),
  async (c) => c.json(await endSessions(c.var.deps, c.var.actor, auditBy(c), c.var.actor.id, null, await currentSessionId(c)), 200));

  app.openapi(createRoute({ method: 'post', path: '/me/password', tags: ['Session'], summary: 'Change your password; every other session of yours ends',
    request: jsonBody(z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(8).max(200) }).openapi('PasswordChange')),
    responses: { 200: jsonResponse(z.object({ endedSessions: z.number() }), 'Changed'), ...errors } }),
  async (c) => {
    const b = c.req.valid('json');
    return c.json(await changeOwnPassword(c.var.deps, c.var.actor, auditBy(c), b.currentPassword, b.newPassword, await currentSessionId(c)), 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/users/{id}/sessions', tags: ['Users'], summary: 'A user\'s web sessions (admin)',
    request: { params: IdParam }, responses: { 200: jsonResponse(Sessions, 'Sessions'), ...errors } }),
  async (c) => {
    requireRole(c.var.actor, 'admin');
    return c.json({ data: await listSessions(c.var.deps, c.var.actor, c.req.valid('param').id, await currentSessionId(c)), nextCursor: null }, 200);
  });

  app.openapi(createRoute({ method: 'delete', path: '/users/{id}/sessions', tags: ['Users'], summary: 'End every web session of a user (admin)',
    request: { params: IdParam }, responses: { 200: jsonResponse(Ended, 'How many ended'), ...errors } }),
  async (c) => {
    requireRole(c.var.actor, 'admin');
    const { id } = c.req.valid('param');
    return c.json(await endSessions(c.var.deps, c.var.actor, auditBy(c), id, null, id === c.var.actor.id ? await currentSessionId(c) : null), 200);
  });
  return app;
};
