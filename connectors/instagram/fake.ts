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
import type { PushOptions, PushResult } from '../meta/fake-server.js';
import { fakeId } from '../meta/fake-server.js';
import { startMessagingFake, type FakeEcho, type FakeMessage, type MessagingFakeSurface, type SentAttachment, type SentMessage } from '../meta/messaging-fake.js';
import { INSTAGRAM_MAX_TEXT, instagramProfile, type InstagramProfile } from './wire.js';

export type { SentAttachment, SentMessage };
export interface InstagramFakeOptions { accountId?: string; accessToken?: string; appSecret?: string; host?: string; port?: number }
/** A customer's message: mid and timestamp default to new ones, `name` and `username` register the profile. */
export interface CustomerDm extends FakeMessage {
  igsid: string;
  name?: string;
  username?: string;
  attachments?: { type: 'image' | 'video' | 'audio' | 'file' | 'share' | 'story_mention'; url: string }[];
}

export interface InstagramFake extends MessagingFakeSurface<CustomerDm, Omit<InstagramProfile, 'id'>> {
  accountId: string;
  accessToken: string;
  inboxConfig(verifyToken: string): { accountId: string; accessToken: string; appSecret: string; verifyToken: string; apiBaseUrl: string };
  accountEcho(webhookUrl: string, m: FakeEcho & { igsid: string }, opts?: PushOptions): Promise<PushResult & { mid: string }>;
}

export async function startInstagramFake(opts: InstagramFakeOptions = {}): Promise<InstagramFake> {
  const accountId = opts.accountId ?? '17841400000000001';
  const accessToken = opts.accessToken ?? `IGAA-fake-token-${fakeId('')}`;
  const meta = await startMessagingFake<CustomerDm, Omit<InstagramProfile, 'id'>>({
    object: 'instagram', accountId, token: accessToken, appSecret: opts.appSecret, maxText: INSTAGRAM_MAX_TEXT,
    midPrefix: 'aWdfZAG1faXRlbTo', profileFields: instagramProfile.fields, host: opts.host, port: opts.port,
    customerOf: (m) => m.igsid,
    profileOf: (m) => (m.name || m.username ? { ...(m.name ? { name: m.name } : {}), ...(m.username ? { username: m.username } : {}) } : null),
  });
  const { url, appSecret } = meta.surface;
  return {
    ...meta.surface,
    accountId, accessToken,
    inboxConfig: (verifyToken) => ({ accountId, accessToken, appSecret, verifyToken, apiBaseUrl: url }),
    accountEcho: (webhookUrl, m, o) => meta.echo(webhookUrl, m.igsid, m, o),
  };
}
