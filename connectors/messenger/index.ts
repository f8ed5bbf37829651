// Facebook Messenger: a Page's conversations. Webhook with Meta's hub.challenge handshake
// and X-Hub-Signature-256 over the raw bytes; replies through the Send API with
// messaging_type RESPONSE (free replies only within 24 h of the customer's last message,
// enforced before queueing through limits.replyWindowHours); names from the User Profile API.
import { z } from 'zod';
import { fetchUserProfile, messagingChannel, messagingConfig } from '../meta/messaging-channel.js';
import { MB, type Connector } from '../types.js';
import { MESSENGER_MAX_TEXT, messengerProfile } from './wire.js';

export const messengerConfig = messagingConfig({ pageId: z.string().min(1), pageAccessToken: z.string().min(1) });
export type MessengerConfig = z.infer<typeof messengerConfig>;

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
  ...messagingChannel<MessengerConfig>({ object: 'page', account: (c) => ({ id: c.pageId, token: c.pageAccessToken }), what: 'Messenger attachment' }),
  async fetchProfile(c, psid) {
    const p = await fetchUserProfile(c, c.pageAccessToken, psid, messengerProfile);
    const name = [p?.first_name, p?.last_name].filter(Boolean).join(' ').trim();
    return name ? { name } : null;
  },
  limits: { replyWindowHours: 24, taggedReply: { hours: 7 * 24, tag: 'HUMAN_AGENT' }, maxTextLength: MESSENGER_MAX_TEXT, attachments: true, media: MESSENGER_MEDIA },
};
