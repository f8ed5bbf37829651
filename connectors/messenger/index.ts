// Facebook Messenger: a Page's conversations. Webhook with Meta's hub.challenge handshake
// and X-Hub-Signature-256 over the raw bytes; replies through the Send API with
// messaging_type RESPONSE (free replies only within 24 h of the customer's last message,
// enforced before queueing through limits.replyWindowHours); names from the User Profile API.
import { z } from 'zod';
import { graphRequest } from '../meta/graph.js';
import { fetchMessagingMedia, parseMessaging, sendMessaging } from '../meta/messaging.js';
import { hubHandshake, verifyHubSignature } from '../meta/signature.js';
import { DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION } from '../meta/wire.js';
import type { Connector } from '../types.js';
import { MESSENGER_MAX_TEXT, messengerProfile } from './wire.js';

export const messengerConfig = z.object({
  pageId: z.string().min(1),
  pageAccessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  apiBaseUrl: z.string().url().default(DEFAULT_GRAPH_URL),
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'apiVersion looks like v25.0').default(DEFAULT_GRAPH_VERSION),
});
export type MessengerConfig = z.infer<typeof messengerConfig>;

const MB = 1048576;
// Send API attachment upload (filedata): up to 25 MB; an attachment carries no caption, so the
// text goes first as its own message.
export const MESSENGER_MEDIA = {
  inboundMaxBytes: 25 * MB,
  outbound: { maxFiles: 10, filesPerMessage: 1, captions: false, types: [{ type: 'image/*', maxBytes: 8 * MB }, { type: '*', maxBytes: 25 * MB }] },
};

export const messenger: Connector<MessengerConfig> = {
  kind: 'messenger',
  info: { label: 'Facebook Messenger', badge: 'FB', color: '#0866ff', configTemplate: { pageId: '', pageAccessToken: '', appSecret: '', verifyToken: '' }, sandbox: true },
  config: messengerConfig,
  secretFields: ['pageAccessToken', 'appSecret', 'verifyToken'],
  handshake: (req, c) => hubHandshake(req, c.verifyToken),
  verify: (req, raw, c) => verifyHubSignature(req, raw, c.appSecret),
  parse: (raw, c) => parseMessaging(raw, 'page', c.pageId),
  send: (c, msg) => sendMessaging({ baseUrl: c.apiBaseUrl, version: c.apiVersion, accountId: c.pageId, token: c.pageAccessToken }, msg),
  async fetchProfile(c, psid) {
    const data = await graphRequest({
      baseUrl: c.apiBaseUrl, method: 'GET', path: `/${c.apiVersion}/${encodeURIComponent(psid)}`,
      query: { fields: 'first_name,last_name' }, token: c.pageAccessToken, timeoutMs: 5_000,
    });
    const p = messengerProfile.safeParse(data);
    if (!p.success) return null;
    const name = [p.data.first_name, p.data.last_name].filter(Boolean).join(' ').trim();
    return name ? { name } : null;
  },
  fetchMedia: (_c, remote, { maxBytes }) => fetchMessagingMedia(remote, maxBytes, 'Messenger attachment'),
  limits: { replyWindowHours: 24, taggedReply: { hours: 7 * 24, tag: 'HUMAN_AGENT' }, maxTextLength: MESSENGER_MAX_TEXT, attachments: true, media: MESSENGER_MEDIA },
};
