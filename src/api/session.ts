// The web app's login: POST /auth/login sets the session cookie and returns the CSRF token the
// app must echo in X-Parley-CSRF; GET /auth/session tells a reloaded page who is logged in.
// /auth/login and /auth/logout are public (see PUBLIC_API_PATHS in app.ts).
import { createRoute, z } from '@hono/zod-openapi';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { checkCsrf, createSession, destroySession, SESSION_TTL_MS, sessionCookie, sessionFromRequest } from '../auth/sessions.js';
import { userView } from '../auth/users.js';
import { AppError, notFound } from '../domain/core/errors.js';
import { claimLoginAttempt, loginSucceeded } from '../auth/login-throttle.js';
import { clientAddress } from './client-address.js';
import { router } from './env.js';
import { errors, jsonBody, jsonResponse, UserSchema } from './schemas.js';
import { updateOwnProfile, userByEmail, userById } from '../auth/user-directory.js';

const Login = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(200) }).openapi('Login');
const SessionInfo = z.object({ user: UserSchema, csrfToken: z.string().nullable() }).openapi('Session');
const UpdateMe = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  locale: z.enum(['en', 'zh-CN']).optional(),
}).openapi('UpdateMe');

// Compared against when the email is unknown, so a miss costs the same time as a wrong password.
let dummyHash: Promise<string> | null = null;

export const sessionRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'post', path: '/auth/login', tags: ['Session'], summary: 'Log in to the web app (sets an HttpOnly session cookie)',
    security: [], request: jsonBody(Login), responses: { 200: jsonResponse(SessionInfo, 'Logged in; send csrfToken as X-Parley-CSRF on POST/PATCH/DELETE'), ...errors } }),
  async (c) => {
    const { password } = c.req.valid('json');
    const email = c.req.valid('json').email.toLowerCase();
    const { deps } = c.var;
    const address = clientAddress(c, deps);
    // Counted before the (costly, bounded) password check; 429 with Retry-After while waiting.
    const claim = await claimLoginAttempt(deps, email, address);
    const row = await userByEmail(deps, email);
    dummyHash ??= hashPassword('not-a-password');
    // userByEmail's row is untyped (Row): its columns are checked here rather than cast.
    const stored = row?.password_hash;
    const ok = await verifyPassword(password, typeof stored === 'string' ? stored : await dummyHash);
    // A disabled user's right password is as good as a wrong one (and stays counted).
    if (!row || typeof row.id !== 'string' || !ok || row.disabled_at) throw new AppError(401, 'invalid_credentials', 'Wrong email or password');
    await loginSucceeded(deps, claim);
    const s = await createSession(deps, row.id, { userAgent: c.req.header('user-agent'), clientAddress: address });
    c.header('set-cookie', sessionCookie(c.req.raw, s.cookieValue, Math.floor(SESSION_TTL_MS / 1000), c.var.deps.publicUrl));
    c.header('cache-control', 'no-store');
    return c.json({ user: userView(row), csrfToken: s.csrfToken }, 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/auth/logout', tags: ['Session'], summary: 'End the web session (needs X-Parley-CSRF)',
    security: [], responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), 'Logged out'), ...errors } }),
  async (c) => {
    const s = await sessionFromRequest(c.var.deps, c.req.raw);
    if (s) {
      checkCsrf(c.req.raw, s);
      await destroySession(c.var.deps, s.id);
    }
    c.header('set-cookie', sessionCookie(c.req.raw, '', 0, c.var.deps.publicUrl));
    return c.json({ ok: true }, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/auth/session', tags: ['Session'], summary: 'Who is logged in, and the CSRF token of the cookie session',
    responses: { 200: jsonResponse(SessionInfo, 'The caller; csrfToken is null for Bearer callers'), ...errors } }),
  async (c) => {
    const row = await userById(c.var.deps, c.var.actor.id);
    if (!row) throw notFound('User');
    const s = await sessionFromRequest(c.var.deps, c.req.raw);
    c.header('cache-control', 'no-store');
    return c.json({ user: userView(row), csrfToken: s && s.userId === c.var.actor.id ? s.csrfToken : null }, 200);
  });

  app.openapi(createRoute({ method: 'patch', path: '/me', tags: ['Users'], summary: 'Change your name or UI language',
    request: jsonBody(UpdateMe), responses: { 200: jsonResponse(UserSchema, 'You, updated'), ...errors } }),
  async (c) => {
    const b = c.req.valid('json');
    const { deps, actor } = c.var;
    const row = await updateOwnProfile(deps, actor, b);
    if (!row) throw notFound('User');
    return c.json(userView(row), 200);
  });
  return app;
};
