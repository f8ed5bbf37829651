// The widget's public API. A visitor token (signed, per inbox and visitor) opens exactly one
// conversation: the visitor's own.
import { createRoute, z } from '@hono/zod-openapi';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { signVisitorToken, verifyVisitorToken, VISITOR_REFRESH_GRACE_MS, VISITOR_TOKEN_TTL_MS, type VisitorClaims } from '../auth/visitor-token.js';
import type { Deps } from '../domain/deps.js';
import { AppError } from '../domain/core/errors.js';
import type { InboxRow } from '../domain/core/rows.js';
import { inboxForWebchatToken, listVisitorMessages, postVisitorMessage, startVisitor, visitorConversationId, visitorConversationStatus } from '../domain/people/visitors.js';
import type { MessageView } from '../domain/core/views.js';
import { messageView } from '../domain/core/views.js';
import { rateFromWidget } from '../domain/service/csat.js';
import type { ParleyEvent } from '../domain/events/bus.js';
import { liveStreams } from '../domain/events/live.js';
import { streamEvents } from './sse.js';
import { clientAddress } from './client-address.js';
import { dropConnection } from './connection.js';
import { validationHook } from './errors.js';
import { RateLimiter } from './rate-limit.js';
import { errors, jsonBody, jsonResponse, PageQuery } from './schemas.js';
import { fileResponse } from './attachments.js';
import { isMultipart, MessageForm, postInputFromForm, type FormInput } from './upload-form.js';
import { getVisitorAttachment } from '../domain/media/attachments.js';
import type { UploadFile } from '../domain/media/outgoing-files.js';

type PublicEnv = { Variables: { deps: Deps; inbox: InboxRow; visitorId: string } };

/** What the public API reads from a web chat inbox's config (the connector validated all of it when saved). */
const WidgetSettings = z.object({ allowedOrigins: z.array(z.string()).optional(), greeting: z.string().optional() });
const widgetSettings = (inbox: InboxRow) => WidgetSettings.parse(JSON.parse(inbox.config));

const VisitorMessage = z.object({
  id: z.string(), direction: z.enum(['in', 'out']), content: z.string(), createdAt: z.string(),
  sender: z.object({ type: z.enum(['contact', 'user', 'bot']) }), deliveryStatus: z.string().nullable(),
  attachments: z.array(z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), url: z.string(), state: z.string(), kind: z.string().nullable() })),
}).openapi('VisitorMessage');

/** What a visitor may see of a message: never agent ids, notes or errors. File URLs point at the visitor's own route. */
export const visitorMessageView = (m: MessageView, webchatToken?: string) => ({
  id: m.id, direction: m.direction, content: m.content, createdAt: m.createdAt, sender: { type: m.sender.type }, deliveryStatus: m.direction === 'in' ? 'sent' : m.deliveryStatus,
  attachments: m.attachments.map((a) => ({
    id: a.id, name: a.name, contentType: a.contentType, size: a.size, state: a.state, kind: a.kind,
    url: webchatToken ? `/public/webchat/${encodeURIComponent(webchatToken)}/attachments/${a.id}` : a.url,
  })),
});

const TokenParam = z.object({ webchatToken: z.string().min(8).max(100) });

/** The page the request comes from: Origin, or for a same-origin GET (which carries none) the Referer's origin. */
function requestOrigin(c: Context<PublicEnv>): string | null {
  const origin = c.req.header('origin');
  if (origin && origin !== 'null') return origin;
  const referer = c.req.header('referer');
  if (!referer) return null;
  try { return new URL(referer).origin; } catch { return null; }
}

async function loadInbox(c: Context<PublicEnv>, token: string) {
  const inbox = await inboxForWebchatToken(c.var.deps, token);
  const { allowedOrigins } = widgetSettings(inbox);
  if (allowedOrigins?.length) {
    // A request naming no page at all is refused too: leaving the header out must not be a way around the list.
    const origin = requestOrigin(c);
    if (!origin) throw new AppError(403, 'origin_required', 'This chat only answers pages on its allowed origins; the request named no Origin or Referer');
    if (!allowedOrigins.some((o) => new URL(o).origin === origin)) throw new AppError(403, 'origin_not_allowed', `This chat is not enabled on ${origin}`);
  }
  c.set('inbox', inbox);
  return inbox;
}

/** The visitor's claims from a genuine token of this inbox; `allowExpired` for /sessions/refresh within the grace period. */
async function visitorClaims(c: Context<PublicEnv>, inbox: InboxRow, allowExpired = false): Promise<VisitorClaims> {
  const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  // EventSource cannot send headers, so the stream also takes ?visitorToken=.
  const token = m?.[1] ?? c.req.query('visitorToken');
  const claims = token ? await verifyVisitorToken(c.var.deps.secret, token) : null;
  if (!claims || claims.inboxId !== inbox.id) throw new AppError(401, 'unauthorized', 'Send the visitorToken from POST /sessions as Authorization: Bearer <visitorToken>');
  const now = c.var.deps.clock.now();
  if (claims.expiresAt <= now - (allowExpired ? VISITOR_REFRESH_GRACE_MS : 0)) {
    throw new AppError(401, allowExpired ? 'token_too_old' : 'token_expired', allowExpired
      ? 'This visitor token expired too long ago to refresh; start a new session'
      : 'The visitor token expired; trade it for a new one with POST /sessions/refresh');
  }
  c.set('visitorId', claims.visitorId);
  return claims;
}

async function authVisitor(c: Context<PublicEnv>) {
  const inbox = await loadInbox(c, c.req.param('webchatToken')!);
  const claims = await visitorClaims(c, inbox);
  return { inbox, visitorId: claims.visitorId, claims };
}

/** Web chat limits (per process): sessions per client address, messages per visitor and per address. */
export const WEBCHAT_LIMITS = {
  sessionsPerAddress: { limit: 20, windowMs: 60_000 },
  messagesPerVisitor: { limit: 20, windowMs: 60_000 },
  messagesPerAddress: { limit: 120, windowMs: 60_000 },
};

export const webchatRoutes = (deps: Deps) => {
  const app = new OpenAPIHono<PublicEnv>({ defaultHook: validationHook });
  // The widget runs on customers' sites: any origin may call; allowedOrigins narrows it per inbox.
  app.use('*', cors({ origin: (o) => o, allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST', 'OPTIONS'], maxAge: 600 }));
  app.use('*', async (c, next) => { c.set('deps', deps); await next(); });
  const L = WEBCHAT_LIMITS;
  const sessionsByAddress = new RateLimiter(L.sessionsPerAddress.limit, L.sessionsPerAddress.windowMs);
  const messagesByVisitor = new RateLimiter(L.messagesPerVisitor.limit, L.messagesPerVisitor.windowMs, 50_000);
  const messagesByAddress = new RateLimiter(L.messagesPerAddress.limit, L.messagesPerAddress.windowMs);
  const issue = async (inboxId: string, who: Omit<VisitorClaims, 'inboxId' | 'expiresAt'>) => {
    const expiresAt = deps.clock.now() + VISITOR_TOKEN_TTL_MS;
    return { visitorToken: await signVisitorToken(deps.secret, { inboxId, ...who, expiresAt }), expiresAt: new Date(expiresAt).toISOString() };
  };

  app.openapi(createRoute({ method: 'post', path: '/{webchatToken}/sessions', tags: ['Web chat'], summary: 'Start (or resume) a visitor session',
    request: { params: TokenParam, body: { content: { 'application/json': { schema: z.object({
      name: z.string().trim().max(200).optional(), email: z.string().trim().email().optional(),
      identifier: z.string().max(200).optional(), identifierHash: z.string().max(200).optional(),
    }) } }, required: false } },
    responses: { 201: jsonResponse(z.object({ visitorToken: z.string(), expiresAt: z.string(), greeting: z.string().nullable() }), 'The visitor token (refresh it before expiresAt)'), ...errors } }),
  async (c) => {
    const inbox = await loadInbox(c, c.req.valid('param').webchatToken);
    sessionsByAddress.hit(clientAddress(c, deps), deps.clock.now(), 'chat sessions from this address');
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') ?? {} : {};
    const visitorId = await startVisitor(c.var.deps, inbox, body);
    const { greeting } = widgetSettings(inbox);
    return c.json({ ...(await issue(inbox.id, { visitorId, name: body.name || undefined, email: body.email || undefined })), greeting: greeting ?? null }, 201);
  });

  app.openapi(createRoute({ method: 'post', path: '/{webchatToken}/sessions/refresh', tags: ['Web chat'],
    summary: 'Trade a visitor token (valid, or expired less than 7 days ago) for a fresh one; send it as Authorization: Bearer',
    request: { params: TokenParam },
    responses: { 200: jsonResponse(z.object({ visitorToken: z.string(), expiresAt: z.string() }), 'A fresh token for the same visitor'), ...errors } }),
  async (c) => {
    const inbox = await loadInbox(c, c.req.valid('param').webchatToken);
    sessionsByAddress.hit(clientAddress(c, deps), deps.clock.now(), 'chat sessions from this address');
    const claims = await visitorClaims(c, inbox, true);
    return c.json(await issue(inbox.id, { visitorId: claims.visitorId, name: claims.name, email: claims.email }), 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/{webchatToken}/messages', tags: ['Web chat'], summary: 'Visitor sends a message',
    description: 'JSON `{content, clientMessageId?}`, or `multipart/form-data` with `content` and one or more `files` (a screenshot, a PDF).',
    request: { params: TokenParam, body: { required: false, content: {
      'application/json': { schema: z.object({ content: z.string().min(1).max(10_000), clientMessageId: z.string().max(100).optional() }) },
      'multipart/form-data': { schema: MessageForm },
    } } },
    responses: { 201: jsonResponse(VisitorMessage, 'Stored'), ...errors } }),
  async (c) => {
    const { inbox, visitorId, claims } = await authVisitor(c);
    const now = deps.clock.now();
    messagesByVisitor.hit(`${inbox.id}:${visitorId}`, now, 'messages');
    messagesByAddress.hit(clientAddress(c, deps), now, 'messages from this address');
    const b = isMultipart(c) ? await postInputFromForm(c.req.valid('form') as FormInput) : c.req.valid('json') as { content: string; clientMessageId?: string };
    if (typeof b.content !== 'string') throw new AppError(400, 'invalid_request', 'Send JSON {content} or multipart/form-data with content and files');
    const row = await postVisitorMessage(c.var.deps, inbox, { visitorId, name: claims.name, email: claims.email }, b.content, b.clientMessageId, 'files' in b ? b.files as UploadFile[] : []);
    liveStreams(c.var.deps).conversationBegan(`visitor:${inbox.id}:${visitorId}`, row.conversation_id);
    return c.json(visitorMessageView(messageView(row), c.req.valid('param').webchatToken), 201);
  });

  app.get('/:webchatToken/attachments/:id', async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    const file = await getVisitorAttachment(c.var.deps, await visitorConversationId(c.var.deps, inbox.id, visitorId), c.req.param('id'));
    return fileResponse(file, c.req.query('download') === '1');
  });

  app.openapi(createRoute({ method: 'get', path: '/{webchatToken}/messages', tags: ['Web chat'], summary: "The visitor's conversation",
    request: { params: TokenParam, query: PageQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(100) }) },
    responses: { 200: jsonResponse(z.object({ data: z.array(VisitorMessage), nextCursor: z.string().nullable(), status: z.string().nullable() }), 'Messages'), ...errors } }),
  async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    const { limit, cursor } = c.req.valid('query');
    const page = await listVisitorMessages(c.var.deps, inbox.id, visitorId, limit, cursor);
    const status = await visitorConversationStatus(c.var.deps, inbox.id, visitorId);
    return c.json({ data: page.data.map((m) => visitorMessageView(m, c.req.valid('param').webchatToken)), nextCursor: page.nextCursor, status }, 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/{webchatToken}/csat', tags: ['Web chat'], summary: 'Visitor rates the conversation after a csat.requested (once)',
    request: { params: TokenParam, ...jsonBody(z.object({ rating: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() })) },
    responses: { 200: jsonResponse(z.object({ rating: z.number(), comment: z.string().nullable() }), 'Stored'), ...errors } }),
  async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    const b = c.req.valid('json');
    const conversationId = await visitorConversationId(c.var.deps, inbox.id, visitorId);
    return c.json(await rateFromWidget(c.var.deps, conversationId, { rating: b.rating, comment: b.comment || null }), 200);
  });

  app.get('/:webchatToken/events', async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    const deps = c.var.deps;
    const hub = liveStreams(deps);
    const inboxId = inbox.id;
    const waitKey = `visitor:${inboxId}:${visitorId}`;
    // Known at open, or learnt when the visitor first writes: never looked up per event.
    let conversationId = await visitorConversationId(deps, inboxId, visitorId);
    const accepts = (e: ParleyEvent) => {
      if (!conversationId || e.conversationId !== conversationId || e.inboxId !== inboxId) return false;
      if (e.type.startsWith('message.')) return !(e.payload.message as MessageView).private;
      return e.type === 'conversation.updated' || e.type.startsWith('csat.');
    };
    let stopWaiting = () => {};
    let poll: NodeJS.Timeout | undefined;
    const bind = (replay: (only: { conversationId: string }) => Promise<void>) => {
      if (conversationId) return;
      const began = (id: string) => {
        if (conversationId) return;
        conversationId = id;
        stopWaiting();
        clearInterval(poll);
        void replay({ conversationId: id }).catch(() => {});
      };
      stopWaiting = hub.awaitConversation(waitKey, began);
      // The visitor may write through another process on the same store: look now and then.
      poll = setInterval(() => {
        void visitorConversationId(deps, inboxId, visitorId).then((id) => { if (id) began(id); }).catch(() => {});
      }, 5_000);
    };
    return streamEvents(c, deps, accepts, {
      map: visitorEventView(c.req.param('webchatToken')),
      direct: false, // the CORS middleware's headers must reach the widget
      caps: [{ key: waitKey, max: hub.limits.perVisitor }, { key: `addr:${clientAddress(c, deps)}`, max: hub.limits.perAddress }],
      drop: () => dropConnection(c),
      onReplayer: bind,
      onClose: () => { stopWaiting(); clearInterval(poll); },
    });
  });
  return app;
};

const visitorEventView = (webchatToken: string) => (e: ParleyEvent) => e.type.startsWith('message.')
  ? { type: e.type, message: visitorMessageView(e.payload.message as MessageView, webchatToken) }
  : { type: e.type, status: (e.payload.conversation as { status?: string } | undefined)?.status ?? e.payload.status ?? null };
