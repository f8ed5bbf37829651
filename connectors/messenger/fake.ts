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
import type { PushOptions, PushResult } from '../meta/fake-server.js';
import { fakeId } from '../meta/fake-server.js';
import { startMessagingFake, type FakeEcho, type FakeMessage, type MessagingFakeSurface, type SentAttachment, type SentMessage } from '../meta/messaging-fake.js';
import { MESSENGER_MAX_TEXT, messengerProfile, type MessengerProfile } from './wire.js';

export type { SentAttachment, SentMessage };
export interface MessengerFakeOptions { pageId?: string; pageAccessToken?: string; appSecret?: string; host?: string; port?: number }
/** A customer's message: mid and timestamp default to new ones, `name` registers the profile. */
export interface CustomerMessage extends FakeMessage {
  psid: string;
  name?: string;
  attachments?: { type: 'image' | 'video' | 'audio' | 'file'; url: string }[];
}

export interface MessengerFake extends MessagingFakeSurface<CustomerMessage, Omit<MessengerProfile, 'id'>> {
  pageId: string;
  pageAccessToken: string;
  inboxConfig(verifyToken: string): { pageId: string; pageAccessToken: string; appSecret: string; verifyToken: string; apiBaseUrl: string };
  pageEcho(webhookUrl: string, m: FakeEcho & { psid: string }, opts?: PushOptions): Promise<PushResult & { mid: string }>;
  delivered(webhookUrl: string, d: { psid: string; mids: string[]; watermark?: number }): Promise<PushResult>;
  echoSendsTo(webhookUrl: string | null): void;
}

/** "Ada Lovelace" -> first_name Ada, last_name Lovelace, as the User Profile API splits it. */
function nameProfile(name: string): Omit<MessengerProfile, 'id'> {
  const [first, ...rest] = name.split(' ');
  return rest.length ? { first_name: first, last_name: rest.join(' ') } : { first_name: name };
}

export async function startMessengerFake(opts: MessengerFakeOptions = {}): Promise<MessengerFake> {
  const pageId = opts.pageId ?? '104857600000001';
  const pageAccessToken = opts.pageAccessToken ?? `EAAG-fake-page-token-${fakeId('')}`;
  let echoUrl: string | null = null;
  const meta = await startMessagingFake<CustomerMessage, Omit<MessengerProfile, 'id'>>({
    object: 'page', accountId: pageId, token: pageAccessToken, appSecret: opts.appSecret, maxText: MESSENGER_MAX_TEXT,
    midPrefix: 'm_', profileFields: messengerProfile.fields, echoExtra: { app_id: 1517776481860111 },
    customerOf: (m) => m.psid,
    profileOf: (m) => (m.name ? nameProfile(m.name) : null),
    beforeAnswer: (s) => {
      const target = echoUrl;
      return target ? () => fake.pageEcho(target, { psid: s.recipientId, text: s.text, mid: s.messageId }) : undefined;
    },
    host: opts.host, port: opts.port,
  });
  const { url, appSecret } = meta.surface;
  const fake: MessengerFake = {
    ...meta.surface,
    pageId, pageAccessToken,
    inboxConfig: (verifyToken) => ({ pageId, pageAccessToken, appSecret, verifyToken, apiBaseUrl: url }),
    pageEcho: (webhookUrl, m, o) => meta.echo(webhookUrl, m.psid, m, o),
    delivered(webhookUrl, d) {
      const ts = d.watermark ?? Date.now();
      return meta.surface.pushWebhook(webhookUrl, meta.wrap(ts, [{ sender: { id: d.psid }, recipient: { id: pageId }, timestamp: ts, delivery: { mids: d.mids, watermark: ts } }]));
    },
    echoSendsTo(target) { echoUrl = target; },
  };
  return fake;
}
