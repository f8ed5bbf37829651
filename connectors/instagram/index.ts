// Instagram direct messages of a professional account. Same Meta webhook checks as
// Messenger (hub.challenge, X-Hub-Signature-256 over the raw bytes), the messaging[] shape
// with object "instagram", replies through the Send API with messaging_type RESPONSE within
// the 24-hour window, and names/usernames from the User Profile API.
import { z } from 'zod';
import { graphRequest } from '../meta/graph.js';
import { fetchMessagingMedia, parseMessaging, sendMessaging } from '../meta/messaging.js';
import { hubHandshake, verifyHubSignature } from '../meta/signature.js';
import { DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION } from '../meta/wire.js';
import type { Connector } from '../types.js';
import { INSTAGRAM_MAX_TEXT, instagramProfile } from './wire.js';

export const instagramConfig = z.object({
  accountId: z.string().min(1),
  accessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  apiBaseUrl: z.string().url().default(DEFAULT_GRAPH_URL),
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'apiVersion looks like v25.0').default(DEFAULT_GRAPH_VERSION),
});
export type InstagramConfig = z.infer<typeof instagramConfig>;

const MB = 1048576;
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
  handshake: (req, c) => hubHandshake(req, c.verifyToken),
  verify: (req, raw, c) => verifyHubSignature(req, raw, c.appSecret),
  parse: (raw, c) => parseMessaging(raw, 'instagram', c.accountId),
  send: (c, msg) => sendMessaging({ baseUrl: c.apiBaseUrl, version: c.apiVersion, accountId: c.accountId, token: c.accessToken, files: 'url' }, msg),
  async fetchProfile(c, igsid) {
    const data = await graphRequest({
      baseUrl: c.apiBaseUrl, method: 'GET', path: `/${c.apiVersion}/${encodeURIComponent(igsid)}`,
      query: { fields: 'name,username' }, token: c.accessToken, timeoutMs: 5_000,
    });
    const p = instagramProfile.safeParse(data);
    if (!p.success) return null;
    const name = p.data.name?.trim() || p.data.username;
    if (!name) return null;
    return { name, ...(p.data.username ? { handle: p.data.username } : {}) };
  },
  fetchMedia: (_c, remote, { maxBytes }) => fetchMessagingMedia(remote, maxBytes, 'Instagram attachment'),
  limits: { replyWindowHours: 24, taggedReply: { hours: 7 * 24, tag: 'HUMAN_AGENT' }, maxTextLength: INSTAGRAM_MAX_TEXT, attachments: true, media: INSTAGRAM_MEDIA },
};
