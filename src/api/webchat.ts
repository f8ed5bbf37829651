// The widget's public API. A visitor token (signed, per inbox and visitor) opens exactly one
// conversation: the visitor's own.
import { createRoute, z } from '@hono/zod-openapi';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { signVisitorToken, verifyVisitorToken } from '../auth/visitor-token.js';
import type { Deps } from '../domain/deps.js';
import { AppError } from '../domain/errors.js';
import type { Row } from '../domain/store.js';
import { inboxForWebchatToken, listVisitorMessages, postVisitorMessage, startVisitor, visitorConversationId } from '../domain/visitors.js';
import type { MessageView } from '../domain/views.js';
import { messageView } from '../domain/views.js';
import { rateFromWidget } from '../domain/csat.js';
import { streamEvents } from '../events/sse.js';
import { validationHook } from './errors.js';
import { errors, jsonBody, jsonResponse, PageQuery } from './schemas.js';
import { fileResponse } from './attachments.js';
import { isMultipart, MessageForm, postInputFromForm, type FormInput } from './upload-form.js';
import { getVisitorAttachment } from '../domain/attachments.js';
import type { UploadFile } from '../domain/outgoing-files.js';

type PublicEnv = { Variables: { deps: Deps; inbox: Row; visitorId: string } };

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

async function loadInbox(c: Context<PublicEnv>, token: string) {
  const inbox = await inboxForWebchatToken(c.var.deps, token);
  const { allowedOrigins } = JSON.parse(inbox.config as string) as { allowedOrigins?: string[] };
  const origin = c.req.header('origin');
  if (allowedOrigins?.length && origin && !allowedOrigins.some((o) => new URL(o).origin === origin)) {
    throw new AppError(403, 'origin_not_allowed', `This chat is not enabled on ${origin}`);
  }
  c.set('inbox', inbox);
  return inbox;
}

async function authVisitor(c: Context<PublicEnv>) {
  const inbox = await loadInbox(c, c.req.param('webchatToken')!);
  const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  // EventSource cannot send headers, so the stream also takes ?visitorToken=.
  const token = m?.[1] ?? c.req.query('visitorToken');
  const claims = token ? await verifyVisitorToken(c.var.deps.secret, token) : null;
  if (!claims || claims.inboxId !== inbox.id) throw new AppError(401, 'unauthorized', 'Send the visitorToken from POST /sessions as Authorization: Bearer <visitorToken>');
  c.set('visitorId', claims.visitorId);
  return { inbox, visitorId: claims.visitorId };
}

export const webchatRoutes = (deps: Deps) => {
  const app = new OpenAPIHono<PublicEnv>({ defaultHook: validationHook });
  // The widget runs on customers' sites: any origin may call; allowedOrigins narrows it per inbox.
  app.use('*', cors({ origin: (o) => o, allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST', 'OPTIONS'], maxAge: 600 }));
  app.use('*', async (c, next) => { c.set('deps', deps); await next(); });

  app.openapi(createRoute({ method: 'post', path: '/{webchatToken}/sessions', tags: ['Web chat'], summary: 'Start (or resume) a visitor session',
    request: { params: TokenParam, body: { content: { 'application/json': { schema: z.object({
      name: z.string().trim().max(200).optional(), email: z.string().trim().email().optional(),
      identifier: z.string().max(200).optional(), identifierHash: z.string().max(200).optional(),
    }) } }, required: false } },
    responses: { 201: jsonResponse(z.object({ visitorToken: z.string(), greeting: z.string().nullable() }), 'The visitor token'), ...errors } }),
  async (c) => {
    const inbox = await loadInbox(c, c.req.valid('param').webchatToken);
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') ?? {} : {};
    const visitorId = await startVisitor(c.var.deps, inbox, body);
    const { greeting } = JSON.parse(inbox.config as string) as { greeting?: string };
    return c.json({ visitorToken: await signVisitorToken(c.var.deps.secret, { inboxId: inbox.id as string, visitorId }), greeting: greeting ?? null }, 201);
  });

  app.openapi(createRoute({ method: 'post', path: '/{webchatToken}/messages', tags: ['Web chat'], summary: 'Visitor sends a message',
    description: 'JSON `{content, clientMessageId?}`, or `multipart/form-data` with `content` and one or more `files` (a screenshot, a PDF).',
    request: { params: TokenParam, body: { required: false, content: {
      'application/json': { schema: z.object({ content: z.string().min(1).max(10_000), clientMessageId: z.string().max(100).optional() }) },
      'multipart/form-data': { schema: MessageForm },
    } } },
    responses: { 201: jsonResponse(VisitorMessage, 'Stored'), ...errors } }),
  async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    const b = isMultipart(c) ? await postInputFromForm(c.req.valid('form') as FormInput) : c.req.valid('json') as { content: string; clientMessageId?: string };
    if (typeof b.content !== 'string') throw new AppError(400, 'invalid_request', 'Send JSON {content} or multipart/form-data with content and files');
    const row = await postVisitorMessage(c.var.deps, inbox, visitorId, b.content, b.clientMessageId, 'files' in b ? b.files as UploadFile[] : []);
    return c.json(visitorMessageView(messageView(row), c.req.valid('param').webchatToken) as never, 201);
  });

  app.get('/:webchatToken/attachments/:id', async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    const file = await getVisitorAttachment(c.var.deps, await visitorConversationId(c.var.deps, inbox.id as string, visitorId), c.req.param('id'));
    return fileResponse(file, c.req.query('download') === '1');
  });

  app.openapi(createRoute({ method: 'get', path: '/{webchatToken}/messages', tags: ['Web chat'], summary: "The visitor's conversation",
    request: { params: TokenParam, query: PageQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(100) }) },
    responses: { 200: jsonResponse(z.object({ data: z.array(VisitorMessage), nextCursor: z.string().nullable(), status: z.string().nullable() }), 'Messages'), ...errors } }),
  async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    const { limit, cursor } = c.req.valid('query');
    const page = await listVisitorMessages(c.var.deps, inbox.id as string, visitorId, limit, cursor);
    const conv = await c.var.deps.store.get<{ status: string }>('SELECT status FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inbox.id, visitorId]);
    return c.json({ data: page.data.map((m) => visitorMessageView(m, c.req.valid('param').webchatToken)), nextCursor: page.nextCursor, status: conv?.status ?? null } as never, 200);
  });

  app.openapi(createRoute({ method: 'post', path: '/{webchatToken}/csat', tags: ['Web chat'], summary: 'Visitor rates the conversation after a csat.requested (once)',
    request: { params: TokenParam, ...jsonBody(z.object({ rating: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() })) },
    responses: { 200: jsonResponse(z.object({ rating: z.number(), comment: z.string().nullable() }), 'Stored'), ...errors } }),
  async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    const b = c.req.valid('json');
    const conversationId = await visitorConversationId(c.var.deps, inbox.id as string, visitorId);
    return c.json(await rateFromWidget(c.var.deps, conversationId, { rating: b.rating, comment: b.comment || null }), 200);
  });

  app.get('/:webchatToken/events', async (c) => {
    const { inbox, visitorId } = await authVisitor(c);
    let conversationId = await visitorConversationId(c.var.deps, inbox.id as string, visitorId);
    const allow = async (e: { inboxId: string | null; conversationId: string | null; type: string; payload: Record<string, unknown> }) => {
      if (e.inboxId !== inbox.id || !e.conversationId) return false;
      conversationId ??= await visitorConversationId(c.var.deps, inbox.id as string, visitorId);
      if (e.conversationId !== conversationId) return false;
      if (e.type.startsWith('message.')) return !(e.payload.message as MessageView).private;
      return e.type === 'conversation.updated' || e.type.startsWith('csat.');
    };
    return streamEvents(c, c.var.deps, allow, {
      map: (e) => e.type.startsWith('message.')
        ? { type: e.type, message: visitorMessageView(e.payload.message as MessageView, c.req.param('webchatToken')) }
        : { type: e.type, status: (e.payload.conversation as { status?: string } | undefined)?.status ?? e.payload.status ?? null },
    });
  });
  return app;
};
