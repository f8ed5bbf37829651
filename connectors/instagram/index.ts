// Instagram direct messages of a professional account. Same Meta webhook checks as
// Messenger (hub.challenge, X-Hub-Signature-256 over the raw bytes), the messaging[] shape
// with object "instagram", replies through the Send API with messaging_type RESPONSE within
// the 24-hour window, and names/usernames from the User Profile API.
import { z } from 'zod';
import { fetchUserProfile, messagingChannel, messagingConfig } from '../meta/messaging-channel.js';
import { MB, type Connector } from '../types.js';
import { INSTAGRAM_MAX_TEXT, instagramProfile } from './wire.js';

export const instagramConfig = messagingConfig({ accountId: z.string().min(1), accessToken: z.string().min(1) });
export type InstagramConfig = z.infer<typeof instagramConfig>;

// Instagram messaging sends files by public URL: images (jpeg/png) up to 8 MB, mp4/mov/ogg/avi/webm
// video and aac/m4a/wav/mp4 audio up to 25 MB. No caption: the text goes first on its own.
export const INSTAGRAM_MEDIA = {
  inboundMaxBytes: 25 * MB,
  outbound: {
    maxFiles: 10, filesPerMessage: 1, captions: false,
    types: [{ type: 'image/jpeg', maxBytes: 8 * MB }, { type: 'image/png', maxBytes: 8 * MB }, { type: 'video/*', maxBytes: 25 * MB }, { type: 'audio/*', maxBytes: 25 * MB }, { type: 'application/pdf', maxBytes: 25 * MB }],
  },
};

export const instagram: Connector<InstagramConfig> = {
  kind: 'instagram',
  info: { label: 'Instagram DMs', badge: 'IG', color: '#d62976', configTemplate: { accountId: '', accessToken: '', appSecret: '', verifyToken: '' }, sandbox: true },
  config: instagramConfig,
  secretFields: ['accessToken', 'appSecret', 'verifyToken'],
  ...messagingChannel<InstagramConfig>({ object: 'instagram', account: (c) => ({ id: c.accountId, token: c.accessToken }), files: 'url', what: 'Instagram attachment' }),
  async fetchProfile(c, igsid) {
    const p = await fetchUserProfile(c, c.accessToken, igsid, instagramProfile);
    const name = p?.name?.trim() || p?.username;
    if (!name) return null;
    return { name, ...(p?.username ? { handle: p.username } : {}) };
  },
  limits: { replyWindowHours: 24, taggedReply: { hours: 7 * 24, tag: 'HUMAN_AGENT' }, maxTextLength: INSTAGRAM_MAX_TEXT, attachments: true, media: INSTAGRAM_MEDIA },
};
