// A fake Instagram messaging API for tests and the sandbox: a real HTTP server on loopback
// speaking the Graph API wire format (connectors/instagram/wire.ts) and pushing signed webhooks.
//
//   startInstagramFake(opts?: {accountId?, accessToken?, appSecret?, host?, port?}): Promise<InstagramFake>
//
//   fake.url                                   Graph root to put in the inbox's config.apiBaseUrl
//   fake.inboxConfig(verifyToken)              a complete `instagram` inbox config pointing at the fake
//   fake.customerWrites(webhookUrl, {igsid, text, name?, username?, mid?, timestamp?, attachments?})
//                                              a customer's DM as a signed webhook; name/username
//                                              register the customer's profile for lookups
//   fake.accountEcho(webhookUrl, {igsid, text, mid?, timestamp?})   an echo of the account's message
//   fake.sent                                  accepted Send API calls: {recipientId, text, messageId, body}
//   fake.calls                                 every HTTP call (method, path, query, headers, body)
//   fake.failNext(n, {status, retryAfter?, body?, match?})   answer the next n sends with a failure
//   fake.setProfile(igsid, {name?, username?})
//   fake.pushWebhook(url, payload, {signature?: 'valid'|'bad'|'none'})
//   fake.verifySubscription(webhookUrl, verifyToken)         Meta's hub.challenge GET
//   fake.hostFile(bytes, contentType, name?)  a file on the fake CDN: its URL (for attachments[].payload.url)
//   fake.attachments                          files sent (by payload.url, fetched by the fake like Meta does): {recipientId, type, filename?, url?, contentType, data}
//   fake.close()
import { answerAttachmentSend, type SentAttachment } from '../meta/fake-attachments.js';
import { GraphFakeServer, fakeId, graphErrorBody, type FailureSpec, type PushOptions, type PushResult, type RecordedCall, type RouteResult } from '../meta/fake-server.js';
import { sendRequest } from '../meta/wire.js';
import { INSTAGRAM_MAX_TEXT, type InstagramProfile, type InstagramWebhook } from './wire.js';

export type { SentAttachment };
export interface InstagramFakeOptions { accountId?: string; accessToken?: string; appSecret?: string; host?: string; port?: number }
export interface SentMessage { recipientId: string; text: string; messageId: string; body: unknown }
export interface CustomerDm {
  igsid: string;
  text?: string;
  name?: string;
  username?: string;
  mid?: string;
  timestamp?: number;
  attachments?: { type: 'image' | 'video' | 'audio' | 'file' | 'share' | 'story_mention'; url: string }[];
}

export interface InstagramFake {
  url: string;
  accountId: string;
  accessToken: string;
  appSecret: string;
  sent: SentMessage[];
  calls: RecordedCall[];
  inboxConfig(verifyToken: string): { accountId: string; accessToken: string; appSecret: string; verifyToken: string; apiBaseUrl: string };
  setProfile(igsid: string, p: { name?: string; username?: string }): void;
  messagePayload(m: CustomerDm): { payload: InstagramWebhook; mid: string };
  customerWrites(webhookUrl: string, m: CustomerDm, opts?: PushOptions): Promise<PushResult & { mid: string; payload: InstagramWebhook }>;
  accountEcho(webhookUrl: string, m: { igsid: string; text: string; mid?: string; timestamp?: number }, opts?: PushOptions): Promise<PushResult & { mid: string }>;
  pushWebhook(url: string, payload: unknown, opts?: PushOptions): Promise<PushResult>;
  verifySubscription(url: string, verifyToken: string): Promise<{ status: number; body: string; challenge: string }>;
  failNext(n: number, spec: FailureSpec): void;
  hostFile(data: Uint8Array, contentType: string, name?: string): string;
  attachments: SentAttachment[];
  close(): Promise<void>;
}

const VERSIONED = /^(?:\/v\d+\.\d+)?\/([^/]+)(\/messages)?$/;

export async function startInstagramFake(opts: InstagramFakeOptions = {}): Promise<InstagramFake> {
  const accountId = opts.accountId ?? '17841400000000001';
  const accessToken = opts.accessToken ?? `IGAA-fake-token-${fakeId('')}`;
  const appSecret = opts.appSecret ?? `fake-app-secret-${fakeId('')}`;
  const profiles = new Map<string, InstagramProfile>();
  const sent: SentMessage[] = [];

  const attachments: SentAttachment[] = [];
  const route = async (call: RecordedCall): Promise<RouteResult | null> => {
    const m = VERSIONED.exec(call.path);
    if (!m) return null;
    const [, node, edge] = m;
    if (call.method === 'POST' && edge) {
      if (node !== accountId && node !== 'me') return { status: 400, body: graphErrorBody(100, `(#100) Object with ID '${node}' does not exist or does not support this operation`, { error_subcode: 33 }) };
      const fileAnswer = await answerAttachmentSend(call, attachments, sent);
      if (fileAnswer) return fileAnswer;
      const parsed = sendRequest.safeParse(call.body);
      if (!parsed.success) return { status: 400, body: graphErrorBody(100, `(#100) Invalid parameter: ${parsed.error.issues[0]?.path.join('.')}`) };
      const text = parsed.data.message.text;
      if ([...text].length > INSTAGRAM_MAX_TEXT) return { status: 400, body: graphErrorBody(100, `(#100) Length of param message[text] must be less than or equal to ${INSTAGRAM_MAX_TEXT}`) };
      const messageId = fakeId('aWdfZAG1faXRlbTo');
      sent.push({ recipientId: parsed.data.recipient.id, text, messageId, body: call.body });
      return { status: 200, body: { recipient_id: parsed.data.recipient.id, message_id: messageId } };
    }
    if (call.method === 'GET' && !edge) {
      const p = profiles.get(node);
      if (!p) return null;
      const fields = (call.query.fields ?? 'name,username').split(',');
      const out: Record<string, unknown> = { id: p.id };
      for (const f of fields) if (f in p) out[f] = (p as Record<string, unknown>)[f];
      return { status: 200, body: out };
    }
    return null;
  };

  const server = await GraphFakeServer.start({ token: accessToken, appSecret, route, host: opts.host, port: opts.port });
  const wrap = (time: number, messaging: unknown[]) => ({ object: 'instagram' as const, entry: [{ id: accountId, time, messaging }] }) as InstagramWebhook;

  const fake: InstagramFake = {
    url: server.url,
    accountId, accessToken, appSecret, sent,
    calls: server.calls,
    inboxConfig: (verifyToken) => ({ accountId, accessToken, appSecret, verifyToken, apiBaseUrl: server.url }),
    setProfile(igsid, p) { profiles.set(igsid, { id: igsid, ...p }); },
    messagePayload(m) {
      const mid = m.mid ?? fakeId('aWdfZAG1faXRlbTo');
      const ts = m.timestamp ?? Date.now();
      const message: Record<string, unknown> = { mid };
      if (m.text !== undefined) message.text = m.text;
      if (m.attachments?.length) message.attachments = m.attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
      return { mid, payload: wrap(ts, [{ sender: { id: m.igsid }, recipient: { id: accountId }, timestamp: ts, message }]) };
    },
    async customerWrites(webhookUrl, m, o) {
      if (m.name || m.username) fake.setProfile(m.igsid, { ...(m.name ? { name: m.name } : {}), ...(m.username ? { username: m.username } : {}) });
      const { mid, payload } = fake.messagePayload(m);
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), mid, payload };
    },
    async accountEcho(webhookUrl, m, o) {
      const mid = m.mid ?? fakeId('aWdfZAG1faXRlbTo');
      const ts = m.timestamp ?? Date.now();
      const payload = wrap(ts, [{ sender: { id: accountId }, recipient: { id: m.igsid }, timestamp: ts, message: { mid, text: m.text, is_echo: true } }]);
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), mid };
    },
    pushWebhook: (url, payload, o) => server.pushWebhook(url, payload, o),
    verifySubscription: (url, token) => server.verifySubscription(url, token),
    failNext: (n, spec) => server.failNext(n, spec),
    hostFile: (data, type, name) => server.hostFile(data, type, name),
    attachments,
    close: () => server.close(),
  };
  return fake;
}
