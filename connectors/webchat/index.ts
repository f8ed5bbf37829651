// Web chat: the widget talks to Parley's own public endpoints, so there is no platform to
// call. Visitor messages are ingested by the public API; a reply is "sent" once it is
// committed, and the visitor's stream and message list pick it up from the store.
import { z } from 'zod';
import { MB, type Connector } from '../types.js';

export const webchatConfig = z.object({
  allowedOrigins: z.array(z.string().url()).optional(),
  /** HMAC key the host site uses to vouch for a signed-in customer's identifier. */
  identitySecret: z.string().min(16).optional(),
  greeting: z.string().max(500).optional(),
}).strict();
export type WebchatConfig = z.infer<typeof webchatConfig>;


export const webchat: Connector<WebchatConfig> = {
  kind: 'webchat',
  info: { label: 'Web chat', badge: 'WEB', color: '#2563eb', configTemplate: {}, sandbox: true, publicWidget: true },
  config: webchatConfig,
  secretFields: ['identitySecret'],
  async send(_c, msg) {
    return { externalId: msg.messageId };
  },
  // The visitor's browser fetches files from Parley itself: any type, one reply at a time.
  limits: {
    attachments: true, maxTextLength: 10_000,
    media: { inboundMaxBytes: 10 * MB, outbound: { maxFiles: 10, filesPerMessage: 10, captions: true, types: [{ type: '*', maxBytes: 25 * MB }] } },
  },
};
