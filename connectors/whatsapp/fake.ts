// A fake WhatsApp Cloud API for tests and the sandbox: a real HTTP server on loopback that
// speaks the Cloud API wire format (connectors/whatsapp/wire.ts) and pushes signed webhooks.
//
//   startWhatsappFake(opts?: {phoneNumberId?, displayPhoneNumber?, wabaId?, accessToken?, appSecret?, host?, port?}): Promise<WhatsappFake>
//
//   fake.url                                   Graph root to put in the inbox's config.apiBaseUrl
//   fake.inboxConfig(verifyToken)              a complete `whatsapp` inbox config pointing at the fake
//   fake.customerWrites(webhookUrl, {waId, name?, text, id?, timestamp?, contextId?})
//                                              a customer's text message as a signed webhook
//   fake.status(webhookUrl, {messageId, recipientId, status, timestamp?, error?: {code, title, message?, details?}})
//                                              a statuses[] webhook for one of our messages
//   fake.businessEcho(webhookUrl, {waId, text, id?, timestamp?})   smb_message_echoes (coexistence)
//   fake.sent                                  accepted sends: {to, text, messageId, contextId?, body}
//                                              (a template send: text is the filled body, template set)
//   fake.templates                             what GET /{wabaId}/message_templates lists (editable;
//                                              APPROVED ones can be sent, others are refused like Meta)
//   fake.calls                                 every HTTP call (method, path, query, headers, body)
//   fake.failNext(n, {status, retryAfter?, body?})   answer the next n sends with a failure
//   fake.pushWebhook(url, payload, {signature?: 'valid'|'bad'|'none'})
//   fake.verifySubscription(webhookUrl, verifyToken)  Meta's hub.challenge GET
//   fake.addMedia(bytes, mimeType)            a file the customer sent: its media id (lookup + Bearer download served)
//   fake.customerSendsMedia(webhookUrl, {waId, type, mediaId, caption?, filename?, voice?, mimeType?})
//   fake.uploads                               files Parley uploaded (POST /{phone-number-id}/media): {id, filename, contentType, data, type}
//   fake.close()
import { createHash } from 'node:crypto';
import { GraphFakeServer, fakeId, graphErrorBody, type FailureSpec, type PushOptions, type PushResult, type RecordedCall, type RouteResult } from '../meta/fake-server.js';
import { WHATSAPP_MAX_TEXT, waSendTemplate, waSendText, type WhatsappWebhook } from './wire.js';

export interface FakeTemplate { name: string; language: string; status: 'APPROVED' | 'PENDING' | 'REJECTED'; category: string; components: { type: string; text?: string; format?: string }[] }
/** Templates a new business account typically has (Meta's sample "hello_world" and two utility ones). */
export const DEFAULT_TEMPLATES: FakeTemplate[] = [
  { name: 'hello_world', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'HEADER', format: 'TEXT', text: 'Hello World' }, { type: 'BODY', text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta.' }] },
  { name: 'follow_up', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}, we have an update on your request {{2}}. Reply to this message to continue the conversation.' }] },
  { name: 'seguimiento', language: 'es', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hola {{1}}, tenemos novedades sobre tu solicitud. Responde a este mensaje para continuar.' }] },
  { name: 'spring_promo', language: 'en_US', status: 'PENDING', category: 'MARKETING', components: [{ type: 'BODY', text: 'Spring sale: {{1}} off!' }] },
];

export interface WhatsappFakeOptions { phoneNumberId?: string; displayPhoneNumber?: string; wabaId?: string; accessToken?: string; appSecret?: string; host?: string; port?: number }
export interface SentWhatsapp { to: string; text: string; messageId: string; contextId?: string; template?: { name: string; language: string; parameters: string[] }; body: unknown; media?: { type: string; id: string; caption?: string; filename?: string } }
export interface UploadedMedia { id: string; filename: string; contentType: string; data: Uint8Array; type: string }
export interface CustomerMedia { waId: string; name?: string; type: 'image' | 'video' | 'audio' | 'document' | 'sticker'; mediaId: string; caption?: string; filename?: string; voice?: boolean; mimeType?: string; id?: string; timestamp?: number }
export interface CustomerText { waId: string; name?: string; text: string; id?: string; timestamp?: number; contextId?: string }
export interface StatusUpdate {
  messageId: string;
  recipientId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp?: number;
  error?: { code: number; title: string; message?: string; details?: string };
}

export interface WhatsappFake {
  url: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  accessToken: string;
  appSecret: string;
  wabaId: string;
  sent: SentWhatsapp[];
  templates: FakeTemplate[];
  uploads: UploadedMedia[];
  calls: RecordedCall[];
  addMedia(data: Uint8Array, mimeType: string, id?: string): string;
  mediaPayload(m: CustomerMedia): { payload: WhatsappWebhook; id: string };
  customerSendsMedia(webhookUrl: string, m: CustomerMedia, opts?: PushOptions): Promise<PushResult & { id: string }>;
  inboxConfig(verifyToken: string): { phoneNumberId: string; accessToken: string; appSecret: string; verifyToken: string; apiBaseUrl: string; wabaId: string };
  messagePayload(m: CustomerText): { payload: WhatsappWebhook; id: string };
  customerWrites(webhookUrl: string, m: CustomerText, opts?: PushOptions): Promise<PushResult & { id: string; payload: WhatsappWebhook }>;
  status(webhookUrl: string, s: StatusUpdate, opts?: PushOptions): Promise<PushResult>;
  businessEcho(webhookUrl: string, m: { waId: string; text: string; id?: string; timestamp?: number }, opts?: PushOptions): Promise<PushResult & { id: string }>;
  pushWebhook(url: string, payload: unknown, opts?: PushOptions): Promise<PushResult>;
  verifySubscription(url: string, verifyToken: string): Promise<{ status: number; body: string; challenge: string }>;
  failNext(n: number, spec: FailureSpec): void;
  close(): Promise<void>;
}

const wamid = () => `wamid.${Buffer.from(fakeId('HBgM')).toString('base64').replace(/=+$/, '')}=`;
const seconds = (ms?: number) => String(Math.floor((ms ?? Date.now()) / 1000));

export async function startWhatsappFake(opts: WhatsappFakeOptions = {}): Promise<WhatsappFake> {
  const phoneNumberId = opts.phoneNumberId ?? '106540352242922';
  const displayPhoneNumber = opts.displayPhoneNumber ?? '15550783881';
  const wabaId = opts.wabaId ?? '102290129340398';
  const accessToken = opts.accessToken ?? `EAAW-fake-system-user-token-${fakeId('')}`;
  const appSecret = opts.appSecret ?? `fake-app-secret-${fakeId('')}`;
  const sent: SentWhatsapp[] = [];
  const uploads: UploadedMedia[] = [];
  const media = new Map<string, { data: Uint8Array; mimeType: string }>();
  let base = '';

  const templates: FakeTemplate[] = structuredClone(DEFAULT_TEMPLATES);

  const route = async (call: RecordedCall): Promise<RouteResult | null> => {
    // The short-lived download URL a lookup hands out (Bearer checked by the server core).
    if (call.method === 'GET' && call.path === '/whatsapp_business/attachments/') {
      const f = media.get(call.query.mid ?? '');
      return f ? { status: 200, body: null, file: { data: f.data, contentType: f.mimeType } } : { status: 404, body: graphErrorBody(100, 'Media not found') };
    }
    const lookup = /^\/v\d+\.\d+\/([^/]+)$/.exec(call.path);
    if (lookup && call.method === 'GET' && media.has(lookup[1])) {
      const f = media.get(lookup[1])!;
      const sha256 = createHash('sha256').update(f.data).digest('hex');
      return { status: 200, body: { messaging_product: 'whatsapp', url: `${base}/whatsapp_business/attachments/?mid=${lookup[1]}&ext=${Date.now()}&hash=ATf`, mime_type: f.mimeType, sha256, file_size: f.data.byteLength, id: lookup[1] } };
    }
    const up = /^(?:\/v\d+\.\d+)?\/([^/]+)\/media$/.exec(call.path);
    if (up && call.method === 'POST') {
      if (up[1] !== phoneNumberId) return { status: 400, body: graphErrorBody(100, `(#100) Object with ID '${up[1]}' does not exist`) };
      const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': call.headers['content-type'] ?? '' }, body: new Uint8Array(call.bytes) }).formData().catch(() => null);
      const file = form?.get('file');
      if (!form || form.get('messaging_product') !== 'whatsapp' || !(file instanceof File)) {
        return { status: 400, body: graphErrorBody(100, '(#100) The parameter messaging_product and file are required') };
      }
      const id = String(Math.floor(Math.random() * 1e15) + 1e15);
      uploads.push({ id, filename: file.name, contentType: file.type, data: new Uint8Array(await file.arrayBuffer()), type: String(form.get('type') ?? '') });
      return { status: 200, body: { id } };
    }
    const list = /^(?:\/v\d+\.\d+)?\/([^/]+)\/message_templates$/.exec(call.path);
    if (list && call.method === 'GET') {
      if (list[1] !== wabaId) return { status: 400, body: graphErrorBody(100, `(#100) Object with ID '${list[1]}' does not exist or does not support this operation`, { error_subcode: 33 }) };
      const wanted = call.query.status;
      return { status: 200, body: { data: templates.filter((t) => !wanted || t.status === wanted).map((t, k) => ({ ...t, id: String(900000 + k) })), paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } } };
    }
    const m = /^(?:\/v\d+\.\d+)?\/([^/]+)\/messages$/.exec(call.path);
    if (!m || call.method !== 'POST') return null;
    const body = call.body as { type?: string; to?: string; context?: { message_id: string } } & Record<string, { id?: string; link?: string; caption?: string; filename?: string } | undefined>;
    if (m[1] === phoneNumberId && body?.type && ['image', 'video', 'audio', 'document', 'sticker'].includes(body.type)) {
      const obj = body[body.type];
      if (!obj?.id || !uploads.some((u) => u.id === obj.id)) return { status: 400, body: graphErrorBody(131053, 'Media upload error', { error_data: { messaging_product: 'whatsapp', details: 'Unknown media id' } }) };
      const messageId = wamid();
      sent.push({ to: String(body.to), text: obj.caption ?? '', messageId, body: call.body, media: { type: body.type, id: obj.id, ...(obj.caption ? { caption: obj.caption } : {}), ...(obj.filename ? { filename: obj.filename } : {}) } });
      return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: messageId }] } };
    }
    if (m[1] !== phoneNumberId) return { status: 400, body: graphErrorBody(100, `(#100) Object with ID '${m[1]}' does not exist or does not support this operation`, { error_subcode: 33 }) };
    if ((call.body as { type?: string })?.type === 'template') return sendTemplate(call);
    const parsed = waSendText.safeParse(call.body);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.');
      return { status: 400, body: graphErrorBody(100, '(#100) Invalid parameter', { error_data: { messaging_product: 'whatsapp', details: `Parameter ${field} is invalid` } }) };
    }
    const b = parsed.data;
    if ([...b.text.body].length > WHATSAPP_MAX_TEXT) {
      return { status: 400, body: graphErrorBody(100, '(#100) Invalid parameter', { error_data: { messaging_product: 'whatsapp', details: `Param text['body'] must be at most ${WHATSAPP_MAX_TEXT} characters long.` } }) };
    }
    const messageId = wamid();
    sent.push({ to: b.to, text: b.text.body, messageId, ...(b.context ? { contextId: b.context.message_id } : {}), body: call.body });
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: b.to, wa_id: b.to }], messages: [{ id: messageId }] } };
  };

  // As the Cloud API: the template must exist, be approved, and get exactly its parameters (error 132000/132001).
  const sendTemplate = (call: RecordedCall): RouteResult => {
    const parsed = waSendTemplate.safeParse(call.body);
    if (!parsed.success) return { status: 400, body: graphErrorBody(100, '(#100) Invalid parameter', { error_data: { messaging_product: 'whatsapp', details: `Parameter ${parsed.error.issues[0]?.path.join('.')} is invalid` } }) };
    const b = parsed.data;
    const t = templates.find((x) => x.name === b.template.name && x.language === b.template.language.code);
    if (!t || t.status !== 'APPROVED') return { status: 404, body: graphErrorBody(132001, '(#132001) Template name does not exist in the translation', { error_data: { messaging_product: 'whatsapp', details: `template name (${b.template.name}) does not exist in ${b.template.language.code}` } }) };
    const body = t.components.find((x) => x.type === 'BODY')?.text ?? '';
    const params = b.template.components?.find((x) => x.type === 'body')?.parameters.map((x) => x.text) ?? [];
    const expected = new Set([...body.matchAll(/\{\{(\d+)\}\}/g)].map((x) => x[1])).size;
    if (params.length !== expected) return { status: 400, body: graphErrorBody(132000, '(#132000) Number of parameters does not match the expected number of params', { error_data: { messaging_product: 'whatsapp', details: `body: number of localizable_params (${params.length}) does not match the expected number of params (${expected})` } }) };
    const messageId = wamid();
    sent.push({ to: b.to, text: body.replace(/\{\{(\d+)\}\}/g, (_a, n: string) => params[Number(n) - 1] ?? ''), messageId, template: { name: t.name, language: t.language, parameters: params }, body: call.body });
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: b.to, wa_id: b.to }], messages: [{ id: messageId, message_status: 'accepted' }] } };
  };

  const server = await GraphFakeServer.start({ token: accessToken, appSecret, route, host: opts.host, port: opts.port });
  base = server.url;
  const wrap = (field: string, value: Record<string, unknown>): WhatsappWebhook => ({
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, changes: [{ field, value: { messaging_product: 'whatsapp', metadata: { display_phone_number: displayPhoneNumber, phone_number_id: phoneNumberId }, ...value } }] }],
  });

  const fake: WhatsappFake = {
    url: server.url,
    phoneNumberId, displayPhoneNumber, accessToken, appSecret, wabaId, sent, templates, uploads,
    addMedia(data, mimeType, given) {
      const id = given ?? String(Math.floor(Math.random() * 1e15) + 1e15);
      media.set(id, { data, mimeType });
      return id;
    },
    mediaPayload(m) {
      const id = m.id ?? wamid();
      const obj: Record<string, unknown> = { id: m.mediaId, mime_type: m.mimeType ?? media.get(m.mediaId)?.mimeType ?? 'application/octet-stream', sha256: 'c2hh' };
      if (m.caption) obj.caption = m.caption;
      if (m.filename) obj.filename = m.filename;
      if (m.voice) obj.voice = true;
      if (m.type === 'sticker') obj.animated = false;
      const message = { from: m.waId, id, timestamp: seconds(m.timestamp), type: m.type, [m.type]: obj };
      return { id, payload: wrap('messages', { contacts: [{ profile: { name: m.name ?? m.waId }, wa_id: m.waId }], messages: [message] }) };
    },
    async customerSendsMedia(webhookUrl, m, o) {
      const { id, payload } = fake.mediaPayload(m);
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), id };
    },
    calls: server.calls,
    inboxConfig: (verifyToken) => ({ phoneNumberId, accessToken, appSecret, verifyToken, apiBaseUrl: server.url, wabaId }),
    messagePayload(m) {
      const id = m.id ?? wamid();
      const message: Record<string, unknown> = { from: m.waId, id, timestamp: seconds(m.timestamp), type: 'text', text: { body: m.text } };
      if (m.contextId) message.context = { from: displayPhoneNumber, id: m.contextId };
      return { id, payload: wrap('messages', { contacts: [{ profile: { name: m.name ?? m.waId }, wa_id: m.waId }], messages: [message] }) };
    },
    async customerWrites(webhookUrl, m, o) {
      const { id, payload } = fake.messagePayload(m);
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), id, payload };
    },
    status(webhookUrl, s, o) {
      const status: Record<string, unknown> = { id: s.messageId, status: s.status, timestamp: seconds(s.timestamp), recipient_id: s.recipientId };
      if (s.status !== 'failed') {
        status.conversation = { id: fakeId('conv'), origin: { type: 'service' } };
        status.pricing = { billable: true, pricing_model: 'CBP', category: 'service' };
      }
      if (s.error) status.errors = [{ code: s.error.code, title: s.error.title, message: s.error.message ?? s.error.title, error_data: { details: s.error.details ?? s.error.title } }];
      return server.pushWebhook(webhookUrl, wrap('messages', { statuses: [status] }), o);
    },
    async businessEcho(webhookUrl, m, o) {
      const id = m.id ?? wamid();
      const payload = wrap('smb_message_echoes', { message_echoes: [{ from: displayPhoneNumber, to: m.waId, id, timestamp: seconds(m.timestamp), type: 'text', text: { body: m.text } }] });
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), id };
    },
    pushWebhook: (url, payload, o) => server.pushWebhook(url, payload, o),
    verifySubscription: (url, token) => server.verifySubscription(url, token),
    failNext: (n, spec) => server.failNext(n, spec),
    close: () => server.close(),
  };
  return fake;
}
