// A fake Messenger Platform for tests and the sandbox: a real HTTP server on loopback that
// speaks the Graph API wire format (connectors/messenger/wire.ts) and pushes signed webhooks.
//
//   startMessengerFake(opts?: {pageId?, pageAccessToken?, appSecret?, host?, port?}): Promise<MessengerFake>
//
//   fake.url                                   Graph root to put in the inbox's config.apiBaseUrl
//   fake.inboxConfig(verifyToken)              a complete `messenger` inbox config pointing at the fake
//   fake.customerWrites(webhookUrl, {psid, text, name?, mid?, timestamp?, attachments?})
//                                              a customer's message as a signed webhook; `name`
//                                              registers the customer's profile for lookups
//   fake.pageEcho(webhookUrl, {psid, text, mid?, timestamp?})   an echo of a Page message
//   fake.delivered(webhookUrl, {psid, mids})  delivery receipts
//   fake.sent                                  accepted Send API calls: {recipientId, text, messageId, body}
//   fake.calls                                 every HTTP call (method, path, query, headers, body)
//   fake.failNext(n, {status, retryAfter?, body?, match?})   answer the next n sends with a failure
//   fake.setProfile(psid, {first_name?, last_name?})
//   fake.echoSendsTo(webhookUrl | null)        push each accepted send's echo before answering the
//                                              Send API call (the echo overtakes the response)
//   fake.pushWebhook(url, payload, {signature?: 'valid'|'bad'|'none'})
//   fake.verifySubscription(webhookUrl, verifyToken)         Meta's hub.challenge GET
//   fake.hostFile(bytes, contentType, name?)  a file on the fake CDN: its URL (for attachments[].payload.url)
//   fake.attachments                          files sent (multipart upload with filedata): {recipientId, type, filename?, url?, contentType, data}
//   fake.close()
import { answerAttachmentSend, type SentAttachment } from '../meta/fake-attachments.js';
import { GraphFakeServer, fakeId, graphErrorBody, type FailureSpec, type PushOptions, type PushResult, type RecordedCall, type RouteResult } from '../meta/fake-server.js';
import { sendRequest } from '../meta/wire.js';
import { MESSENGER_MAX_TEXT, type MessengerProfile, type MessengerWebhook } from './wire.js';

export type { SentAttachment };
export interface MessengerFakeOptions { pageId?: string; pageAccessToken?: string; appSecret?: string; host?: string; port?: number }
export interface SentMessage { recipientId: string; text: string; messageId: string; body: unknown }
export interface CustomerMessage {
  psid: string;
  text?: string;
  name?: string;
  mid?: string;
  timestamp?: number;
  attachments?: { type: 'image' | 'video' | 'audio' | 'file'; url: string }[];
}

export interface MessengerFake {
  url: string;
  pageId: string;
  pageAccessToken: string;
  appSecret: string;
  sent: SentMessage[];
  calls: RecordedCall[];
  inboxConfig(verifyToken: string): { pageId: string; pageAccessToken: string; appSecret: string; verifyToken: string; apiBaseUrl: string };
  setProfile(psid: string, p: { first_name?: string; last_name?: string }): void;
  messagePayload(m: CustomerMessage): { payload: MessengerWebhook; mid: string };
  customerWrites(webhookUrl: string, m: CustomerMessage, opts?: PushOptions): Promise<PushResult & { mid: string; payload: MessengerWebhook }>;
  pageEcho(webhookUrl: string, m: { psid: string; text: string; mid?: string; timestamp?: number }, opts?: PushOptions): Promise<PushResult & { mid: string }>;
  delivered(webhookUrl: string, d: { psid: string; mids: string[]; watermark?: number }): Promise<PushResult>;
  pushWebhook(url: string, payload: unknown, opts?: PushOptions): Promise<PushResult>;
  verifySubscription(url: string, verifyToken: string): Promise<{ status: number; body: string; challenge: string }>;
  failNext(n: number, spec: FailureSpec): void;
  echoSendsTo(webhookUrl: string | null): void;
  hostFile(data: Uint8Array, contentType: string, name?: string): string;
  attachments: SentAttachment[];
  close(): Promise<void>;
}

const VERSIONED = /^(?:\/v\d+\.\d+)?\/([^/]+)(\/messages)?$/;

export async function startMessengerFake(opts: MessengerFakeOptions = {}): Promise<MessengerFake> {
  const pageId = opts.pageId ?? '104857600000001';
  const pageAccessToken = opts.pageAccessToken ?? `EAAG-fake-page-token-${fakeId('')}`;
  const appSecret = opts.appSecret ?? `fake-app-secret-${fakeId('')}`;
  const profiles = new Map<string, MessengerProfile>();
  const sent: SentMessage[] = [];
  let echoUrl: string | null = null;

  const attachments: SentAttachment[] = [];
  const route = async (call: RecordedCall): Promise<RouteResult | null> => {
    const m = VERSIONED.exec(call.path);
    if (!m) return null;
    const [, node, edge] = m;
    if (call.method === 'POST' && edge) {
      if (node !== pageId && node !== 'me') return { status: 400, body: graphErrorBody(100, `(#100) Object with ID '${node}' does not exist or does not support this operation`, { error_subcode: 33 }) };
      const fileAnswer = await answerAttachmentSend(call, attachments, sent);
      if (fileAnswer) return fileAnswer;
      const parsed = sendRequest.safeParse(call.body);
      if (!parsed.success) return { status: 400, body: graphErrorBody(100, `(#100) Invalid parameter: ${parsed.error.issues[0]?.path.join('.')}`) };
      const text = parsed.data.message.text;
      if ([...text].length > MESSENGER_MAX_TEXT) return { status: 400, body: graphErrorBody(100, `(#100) Length of param message[text] must be less than or equal to ${MESSENGER_MAX_TEXT}`) };
      const messageId = fakeId('m_');
      sent.push({ recipientId: parsed.data.recipient.id, text, messageId, body: call.body });
      const target = echoUrl;
      const before = target ? () => fake.pageEcho(target, { psid: parsed.data.recipient.id, text, mid: messageId }) : undefined;
      return { status: 200, body: { recipient_id: parsed.data.recipient.id, message_id: messageId }, before };
    }
    if (call.method === 'GET' && !edge) {
      const p = profiles.get(node);
      if (!p) return null;
      const fields = (call.query.fields ?? 'first_name,last_name').split(',');
      const out: Record<string, unknown> = { id: p.id };
      for (const f of fields) if (f in p) out[f] = (p as Record<string, unknown>)[f];
      return { status: 200, body: out };
    }
    return null;
  };

  const server = await GraphFakeServer.start({ token: pageAccessToken, appSecret, route, host: opts.host, port: opts.port });

  const wrap = (time: number, messaging: unknown[]) => ({ object: 'page' as const, entry: [{ id: pageId, time, messaging }] }) as MessengerWebhook;

  const fake: MessengerFake = {
    url: server.url,
    pageId, pageAccessToken, appSecret, sent,
    calls: server.calls,
    inboxConfig: (verifyToken) => ({ pageId, pageAccessToken, appSecret, verifyToken, apiBaseUrl: server.url }),
    setProfile(psid, p) { profiles.set(psid, { id: psid, ...p }); },
    messagePayload(m) {
      const mid = m.mid ?? fakeId('m_');
      const ts = m.timestamp ?? Date.now();
      const message: Record<string, unknown> = { mid };
      if (m.text !== undefined) message.text = m.text;
      if (m.attachments?.length) message.attachments = m.attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
      return { mid, payload: wrap(ts, [{ sender: { id: m.psid }, recipient: { id: pageId }, timestamp: ts, message }]) };
    },
    async customerWrites(webhookUrl, m, o) {
      if (m.name) {
        const [first, ...rest] = m.name.split(' ');
        fake.setProfile(m.psid, rest.length ? { first_name: first, last_name: rest.join(' ') } : { first_name: m.name });
      }
      const { mid, payload } = fake.messagePayload(m);
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), mid, payload };
    },
    async pageEcho(webhookUrl, m, o) {
      const mid = m.mid ?? fakeId('m_');
      const ts = m.timestamp ?? Date.now();
      const payload = wrap(ts, [{ sender: { id: pageId }, recipient: { id: m.psid }, timestamp: ts, message: { mid, text: m.text, is_echo: true, app_id: 1517776481860111 } }]);
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), mid };
    },
    delivered(webhookUrl, d) {
      const ts = d.watermark ?? Date.now();
      return server.pushWebhook(webhookUrl, wrap(ts, [{ sender: { id: d.psid }, recipient: { id: pageId }, timestamp: ts, delivery: { mids: d.mids, watermark: ts } }]));
    },
    pushWebhook: (url, payload, o) => server.pushWebhook(url, payload, o),
    verifySubscription: (url, token) => server.verifySubscription(url, token),
    failNext: (n, spec) => server.failNext(n, spec),
    echoSendsTo(url) { echoUrl = url; },
    hostFile: (data, type, name) => server.hostFile(data, type, name),
    attachments,
    close: () => server.close(),
  };
  return fake;
}
