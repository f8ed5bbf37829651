// What the Messenger and Instagram fakes share: one Graph fake server for one account that
// takes Send API calls (text up to the platform's length, files through answerAttachmentSend),
// answers User Profile lookups from the profiles registered with it, and pushes the
// `messaging[]` webhooks a customer's message and an echo of the account's own message come
// as. Each platform's fake.ts names the ids and tokens its way and adds what only it has.
import { answerAttachmentSend, type SentAttachment } from './fake-attachments.js';
import { GraphFakeServer, fakeId, graphErrorBody, type FailureSpec, type PushOptions, type PushResult, type RecordedCall, type RouteResult } from './fake-server.js';
import { sendRequest, type MessagingWebhook } from './wire.js';

export type { SentAttachment };
export interface SentMessage { recipientId: string; text: string; messageId: string; body: unknown }
/** A customer's message: its text and/or files (by CDN URL, see hostFile). */
export interface FakeMessage { text?: string; mid?: string; timestamp?: number; attachments?: { type: string; url: string }[] }
export interface FakeEcho { text: string; mid?: string; timestamp?: number }

export interface MessagingFakeSpec<M extends FakeMessage, P> {
  object: 'page' | 'instagram';
  accountId: string;
  token: string;
  /** Default: a new random one. */
  appSecret?: string;
  maxText: number;
  /** How the platform's message ids start. */
  midPrefix: string;
  /** The fields a profile lookup without `?fields=` answers. */
  profileFields: readonly string[];
  /** Who writes a message (the PSID, IGSID field of the platform's message). */
  customerOf(m: M): string;
  /** The profile a message registers for lookups (the name it gives), if any. */
  profileOf(m: M): P | null;
  /** More keys on an echo's message (Messenger names the app that sent it). */
  echoExtra?: Record<string, unknown>;
  /** Runs before an accepted text send is answered (Messenger: an echo that overtakes the answer). */
  beforeAnswer?: (s: SentMessage) => (() => Promise<unknown>) | undefined;
  host?: string;
  port?: number;
}

/** The part of both fakes' surface that is the same on both platforms. */
export interface MessagingFakeBase {
  url: string;
  appSecret: string;
  sent: SentMessage[];
  calls: RecordedCall[];
  attachments: SentAttachment[];
  pushWebhook(url: string, payload: unknown, opts?: PushOptions): Promise<PushResult>;
  verifySubscription(url: string, verifyToken: string): Promise<{ status: number; body: string; challenge: string }>;
  failNext(n: number, spec: FailureSpec): void;
  hostFile(data: Uint8Array, contentType: string, name?: string): string;
  close(): Promise<void>;
}

/** What both fakes offer, for the platform's own message type M and profile P. */
export interface MessagingFakeSurface<M, P> extends MessagingFakeBase {
  setProfile(customerId: string, p: P): void;
  /** The webhook body a customer's message comes in, not sent. */
  messagePayload(m: M): { payload: MessagingWebhook; mid: string };
  /** A customer's message as a signed webhook; a profile it gives is registered for lookups. */
  customerWrites(webhookUrl: string, m: M, opts?: PushOptions): Promise<PushResult & { mid: string; payload: MessagingWebhook }>;
}

export interface MessagingFake<M, P> {
  surface: MessagingFakeSurface<M, P>;
  /** A webhook body of `messaging` items for this account. */
  wrap(time: number, messaging: unknown[]): MessagingWebhook;
  /** An echo of the account's own message to the customer. */
  echo(webhookUrl: string, customerId: string, m: FakeEcho, opts?: PushOptions): Promise<PushResult & { mid: string }>;
}

const VERSIONED = /^(?:\/v\d+\.\d+)?\/([^/]+)(\/messages)?$/;

export async function startMessagingFake<M extends FakeMessage, P extends object>(spec: MessagingFakeSpec<M, P>): Promise<MessagingFake<M, P>> {
  const { accountId } = spec;
  const appSecret = spec.appSecret ?? `fake-app-secret-${fakeId('')}`;
  const profiles = new Map<string, P & { id: string }>();
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
      if ([...text].length > spec.maxText) return { status: 400, body: graphErrorBody(100, `(#100) Length of param message[text] must be less than or equal to ${spec.maxText}`) };
      const s: SentMessage = { recipientId: parsed.data.recipient.id, text, messageId: fakeId(spec.midPrefix), body: call.body };
      sent.push(s);
      return { status: 200, body: { recipient_id: s.recipientId, message_id: s.messageId }, before: spec.beforeAnswer?.(s) };
    }
    if (call.method === 'GET' && !edge) {
      const p = profiles.get(node);
      if (!p) return null;
      const fields = call.query.fields?.split(',') ?? spec.profileFields;
      const out: Record<string, unknown> = { id: p.id };
      for (const f of fields) if (f in p) out[f] = (p as Record<string, unknown>)[f];
      return { status: 200, body: out };
    }
    return null;
  };

  const server = await GraphFakeServer.start({ token: spec.token, appSecret, route, host: spec.host, port: spec.port });
  const wrap = (time: number, messaging: unknown[]) => ({ object: spec.object, entry: [{ id: accountId, time, messaging }] }) as MessagingWebhook;

  const surface: MessagingFakeSurface<M, P> = {
    url: server.url,
    appSecret,
    sent,
    calls: server.calls,
    attachments,
    pushWebhook: (url, payload, o) => server.pushWebhook(url, payload, o),
    verifySubscription: (url, token) => server.verifySubscription(url, token),
    failNext: (n, failure) => server.failNext(n, failure),
    hostFile: (data, type, name) => server.hostFile(data, type, name),
    close: () => server.close(),
    setProfile(id, p) { profiles.set(id, { id, ...p }); },
    messagePayload(m) {
      const mid = m.mid ?? fakeId(spec.midPrefix);
      const ts = m.timestamp ?? Date.now();
      const message: Record<string, unknown> = { mid };
      if (m.text !== undefined) message.text = m.text;
      if (m.attachments?.length) message.attachments = m.attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
      return { mid, payload: wrap(ts, [{ sender: { id: spec.customerOf(m) }, recipient: { id: accountId }, timestamp: ts, message }]) };
    },
    async customerWrites(webhookUrl, m, o) {
      const profile = spec.profileOf(m);
      if (profile) surface.setProfile(spec.customerOf(m), profile);
      const { mid, payload } = surface.messagePayload(m);
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), mid, payload };
    },
  };
  return {
    surface,
    wrap,
    async echo(webhookUrl, customerId, m, o) {
      const mid = m.mid ?? fakeId(spec.midPrefix);
      const ts = m.timestamp ?? Date.now();
      const payload = wrap(ts, [{ sender: { id: accountId }, recipient: { id: customerId }, timestamp: ts, message: { mid, text: m.text, is_echo: true, ...spec.echoExtra } }]);
      return { ...(await server.pushWebhook(webhookUrl, payload, o)), mid };
    },
  };
}
