// createApp(deps) -> the Hono app. No runtime-specific import: Node and Workers entries
// build deps (store, scheduler) and hand them in.
import { securityHeaders } from './api/security-headers.js';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { conversationRoutes } from './api/conversations.js';
import { type AppEnv } from './api/env.js';
import { errorBody, onError, validationHook } from './api/errors.js';
import { eventRoutes } from './api/events.js';
import { channelRoutes } from './api/channels.js';
import { inboxRoutes } from './api/inboxes.js';
import { replyOptionRoutes } from './api/reply-options.js';
import { sessionRoutes } from './api/session.js';
import { userRoutes } from './api/users.js';
import { webchatRoutes } from './api/webchat.js';
import { webhookRoutes } from './api/webhooks.js';
import { fileLinkRoutes } from './api/file-links.js';
import { isMultipart, MAX_UPLOAD_BODY_BYTES } from './api/upload-form.js';
import { bearerResolver, requireActor, type ActorResolver } from './api/auth-middleware.js';
import type { SseTransport } from './api/sse.js';
import type { Deps } from './domain/deps.js';
import { webRoutes, type WebOptions } from './web/routes.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** /api/v1 paths that need no actor: the spec, and the web app's login/logout. */
const PUBLIC_API_PATHS = /^\/api\/v1\/(openapi\.json|auth\/login|auth\/logout)$/;
/** The routes that take multipart messages with files. */
const UPLOAD_PATHS = /^\/(api\/v1\/conversations\/[^/]+|public\/webchat\/[^/]+)\/messages$/;

export interface AppOptions {
  /** More ways to authenticate (the web app's session cookie). */
  resolvers?: ActorResolver[];
  /** Extra /api/v1 route modules (workflow, contacts, search, ...). */
  apiModules?: ((deps: Deps) => OpenAPIHono<AppEnv>)[];
  /** Where the web app's built files come from (Workers: the static assets binding). */
  web?: WebOptions;
  /** The runtime's direct write path for live streams (Node: the socket); else Hono's stream. */
  sseTransport?: SseTransport;
}

export function createApp(deps: Deps, opts: AppOptions = {}) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError(deps.log));
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404));

  app.use('*', async (c, next) => {
    const start = performance.now();
    c.set('deps', deps);
    if (opts.sseTransport) c.set('sseTransport', opts.sseTransport);
    await next();
    // Path only: query strings can carry visitor tokens.
    deps.log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - start) * 10) / 10 }, 'request');
  });
  app.use('*', securityHeaders(deps.publicUrl));
  // Connection: close, because the unread rest of the body makes the connection unusable.
  const tooLarge = (c: Context) => c.json(errorBody('payload_too_large', 'The request body is over 1 MB'), 413, { connection: 'close' });
  const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  // Messages with files (multipart) may be larger; only the two message routes take them.
  const uploadTooLarge = (c: Context) => c.json(errorBody('payload_too_large', `The files are over ${MAX_UPLOAD_BODY_BYTES / 1048576} MB in all`), 413, { connection: 'close' });
  const limitUpload = bodyLimit({ maxSize: MAX_UPLOAD_BODY_BYTES, onError: uploadTooLarge });
  const isUpload = (c: Context) => c.req.method === 'POST' && isMultipart(c) && UPLOAD_PATHS.test(c.req.path);
  // Only a body without a declared length (chunked) goes through Hono's bodyLimit, which counts
  // it as it streams: it asks for c.req.raw.body first, and that makes the Node adapter build a
  // whole Web Request (~0.1 ms, ~10% of a webhook's CPU) where the handlers' text()/arrayBuffer()
  // read the bytes directly. A declared length is all the check needs (Node's parser holds the
  // body to it), and GET/HEAD carry no body.
  app.use('*', (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    const upload = isUpload(c);
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return (upload ? limitUpload : limitBody)(c, next);
    if (upload) return Number(length) > MAX_UPLOAD_BODY_BYTES ? Promise.resolve(uploadTooLarge(c)) : next();
    return Number(length) > MAX_BODY_BYTES ? Promise.resolve(tooLarge(c)) : next();
  });

  app.get('/healthz', (c) => c.json({ ok: true }));

  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  api.doc('/openapi.json', {
    openapi: '3.0.3',
    info: { title: 'Parley API', version: '1', description: 'One inbox for every channel. Authenticate with Authorization: Bearer <API token>.' },
    security: [{ bearer: [] }],
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const auth = requireActor(deps, [bearerResolver, ...(opts.resolvers ?? [])]);
  api.use('*', async (c, next) => (PUBLIC_API_PATHS.test(c.req.path) ? next() : auth(c, next)));
  api.route('/', channelRoutes(deps.connectors));
  api.route('/', inboxRoutes([...deps.connectors.keys()]));
  api.route('/', conversationRoutes());
  api.route('/', replyOptionRoutes());
  api.route('/', userRoutes());
  api.route('/', eventRoutes());
  api.route('/', sessionRoutes());
  for (const mod of opts.apiModules ?? []) api.route('/', mod(deps));
  app.route('/api/v1', api);

  app.route('/webhooks', webhookRoutes(deps));
  app.route('/public/webchat', webchatRoutes(deps));
  app.route('/public/files', fileLinkRoutes(deps));
  app.route('/', webRoutes(deps, opts.web));
  return app;
}
