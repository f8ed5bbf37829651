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
//                                              (a template send: text is the rendered header, body, footer
//                                              and button labels; template = the values it carried)
//   fake.templates                             what GET /{wabaId}/message_templates lists (editable;
//                                              APPROVED ones can be sent, others are refused like Meta; a send
//                                              whose header/body/button parameters don't fit: 132000/132012)
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
import { WHATSAPP_MAX_TEXT, waSendTemplate, waSendText, type WaTemplateComponent, type WhatsappWebhook } from './wire.js';

export interface FakeTemplateButton { type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE'; text: string; url?: string; phone_number?: string }
export interface FakeTemplate { name: string; language: string; status: 'APPROVED' | 'PENDING' | 'REJECTED'; category: string; components: { type: string; text?: string; format?: string; buttons?: FakeTemplateButton[] }[] }
/** Templates a new business account typically has (Meta's sample "hello_world" and two utility ones). */
export const DEFAULT_TEMPLATES: FakeTemplate[] = [
  { name: 'hello_world', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'HEADER', format: 'TEXT', text: 'Hello World' }, { type: 'BODY', text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta.' }] },
  { name: 'follow_up', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}, we have an update on your request {{2}}. Reply to this message to continue the conversation.' }] },
  { name: 'seguimiento', language: 'es', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hola {{1}}, tenemos novedades sobre tu solicitud. Responde a este mensaje para continuar.' }] },
  { name: 'spring_promo', language: 'en_US', status: 'PENDING', category: 'MARKETING', components: [{ type: 'BODY', text: 'Spring sale: {{1}} off!' }] },
  { name: 'order_shipped', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [
    { type: 'HEADER', format: 'IMAGE' },
    { type: 'BODY', text: 'Hi {{1}}, your order {{2}} is on its way.' },
    { type: 'FOOTER', text: 'Parley demo shop' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Talk to an agent' }, { type: 'URL', text: 'Track the parcel', url: 'https://shop.example.com/track/{{1}}' }] },
  ] },
  { name: 'appointment_reminder', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [
    { type: 'HEADER', format: 'TEXT', text: 'Your appointment, {{1}}' },
    { type: 'BODY', text: 'We look forward to seeing you on {{1}}.' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Confirm' }, { type: 'QUICK_REPLY', text: 'Reschedule' }, { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550199' }] },
  ] },
  { name: 'invoice_ready', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'HEADER', format: 'DOCUMENT' }, { type: 'BODY', text: 'Your invoice {{1}} is attached.' }] },
  { name: 'setup_video', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'HEADER', format: 'VIDEO' }, { type: 'BODY', text: 'This short video shows how to set up your device.' }] },
];

export interface WhatsappFakeOptions { phoneNumberId?: string; displayPhoneNumber?: string; wabaId?: string; accessToken?: string; appSecret?: string; host?: string; port?: number }
export interface SentTemplate { name: string; language: string; parameters: string[]; header?: { type: string; text?: string; link?: string; id?: string; filename?: string }; buttons?: { index: number; subType: string; value: string }[] }
export interface SentWhatsapp { to: string; text: string; messageId: string; contextId?: string; template?: SentTemplate; body: unknown; media?: { type: string; id: string; caption?: string; filename?: string } }
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

  // As the Cloud API: the template must exist, be approved, and get exactly the parameters its
  // header, body and buttons take (132000: a count, 132012: a parameter of the wrong kind).
  const sendTemplate = (call: RecordedCall): RouteResult => {
    const parsed = waSendTemplate.safeParse(call.body);
    if (!parsed.success) return { status: 400, body: graphErrorBody(100, '(#100) Invalid parameter', { error_data: { messaging_product: 'whatsapp', details: `Parameter ${parsed.error.issues[0]?.path.join('.')} is invalid` } }) };
    const b = parsed.data;
    const t = templates.find((x) => x.name === b.template.name && x.language === b.template.language.code);
    if (!t || t.status !== 'APPROVED') return { status: 404, body: graphErrorBody(132001, '(#132001) Template name does not exist in the translation', { error_data: { messaging_product: 'whatsapp', details: `template name (${b.template.name}) does not exist in ${b.template.language.code}` } }) };
    const checked = checkTemplateSend(t, b.template.components ?? [], (id) => uploads.some((u) => u.id === id));
    if ('error' in checked) return { status: 400, body: graphErrorBody(checked.error.code, checked.error.message, { error_data: { messaging_product: 'whatsapp', details: checked.error.details } }) };
    const messageId = wamid();
    sent.push({ to: b.to, text: checked.text, messageId, template: { name: t.name, language: t.language, ...checked.template }, body: call.body });
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

const countOf = (text?: string) => new Set([...(text ?? '').matchAll(/\{\{(\d+)\}\}/g)].map((x) => x[1])).size;
const fill = (text: string, values: string[]) => text.replace(/\{\{(\d+)\}\}/g, (_a, n: string) => values[Number(n) - 1] ?? '');
const COUNT = '(#132000) Number of parameters does not match the expected number of params';
const FORMAT = '(#132012) Parameter format does not match format in the created template';
type Check = { error: { code: number; message: string; details: string } } | { text: string; template: Omit<SentTemplate, 'name' | 'language'> };

/** A template send's components against the template, as Graph checks them; the text the customer sees. */
function checkTemplateSend(t: FakeTemplate, components: WaTemplateComponent[], uploaded: (mediaId: string) => boolean): Check {
  const count = (details: string): Check => ({ error: { code: 132000, message: COUNT, details } });
  const format = (details: string): Check => ({ error: { code: 132012, message: FORMAT, details } });
  const part = (type: string) => t.components.find((x) => x.type === type);
  const given = (type: string) => components.filter((c) => c.type === type);
  const out: Omit<SentTemplate, 'name' | 'language'> = { parameters: [] };
  let headerText: string | null = null;
  const h = part('HEADER');
  const hp = given('header')[0]?.parameters ?? [];
  if (h && h.format && h.format !== 'TEXT') {
    const kind = h.format.toLowerCase() as 'image' | 'document' | 'video';
    const p = hp[0];
    const media = p?.type === kind ? p[kind] : undefined;
    if (!media?.link && !media?.id) return format(`header: Format mismatch, expected ${h.format}, received ${p ? p.type.toUpperCase() : 'UNKNOWN'}`);
    if (media.id && !uploaded(media.id)) return { error: { code: 131053, message: 'Media upload error', details: `header: unknown media id ${media.id}` } };
    out.header = { type: kind, ...media };
    headerText = `[${kind}]`;
  } else {
    const expected = countOf(h?.text);
    if (hp.length !== expected) return count(`header: number of localizable_params (${hp.length}) does not match the expected number of params (${expected})`);
    if (hp[0] && (hp[0].type !== 'text' || !hp[0].text)) return format(`header: Format mismatch, expected TEXT, received ${hp[0].type.toUpperCase()}`);
    if (hp[0]) out.header = { type: 'text', text: hp[0].text };
    headerText = h?.text ? fill(h.text, hp.map((x) => x.text ?? '')) : null;
  }
  const body = part('BODY')?.text ?? '';
  const bp = given('body')[0]?.parameters ?? [];
  const expected = countOf(body);
  if (bp.length !== expected) return count(`body: number of localizable_params (${bp.length}) does not match the expected number of params (${expected})`);
  if (bp.some((x) => x.type !== 'text' || !x.text)) return format('body: only text parameters are accepted');
  out.parameters = bp.map((x) => x.text!);
  const buttons = part('BUTTONS')?.buttons ?? [];
  const sentButtons: NonNullable<SentTemplate['buttons']> = [];
  for (const c of given('button')) {
    const index = Number(c.index);
    const button = buttons[index];
    const subType = button?.type === 'URL' ? 'url' : button?.type === 'QUICK_REPLY' ? 'quick_reply' : null;
    if (!button || c.sub_type !== subType || (subType === 'url' && !countOf(button.url))) return format(`buttons: no ${c.sub_type} button with a parameter at index ${c.index}`);
    const p = c.parameters[0];
    const value = subType === 'url' ? (p?.type === 'text' ? p.text : undefined) : (p?.type === 'payload' ? p.payload : undefined);
    if (c.parameters.length !== 1 || !value) return count(`button at index ${index}: number of params (${c.parameters.length}) does not match the expected number of params (1)`);
    sentButtons.push({ index, subType, value });
  }
  for (const [index, button] of buttons.entries()) {
    if (button.type === 'URL' && countOf(button.url) && !sentButtons.some((x) => x.index === index)) return count(`button at index ${index}: number of params (0) does not match the expected number of params (1)`);
  }
  if (sentButtons.length) out.buttons = sentButtons;
  const labels = buttons.map((x) => `[${x.text}]`).join(' ');
  const text = [headerText, fill(body, out.parameters), part('FOOTER')?.text, labels].filter((x) => x).join('\n');
  return { text, template: out };
}
