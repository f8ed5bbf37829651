// The API channel's own wire format: what a caller POSTs to /webhooks/:inboxId and what Parley
// POSTs to the caller's callbackUrl. Both are signed the same way:
//   X-Parley-Timestamp: <unix seconds>
//   X-Parley-Signature: sha256=<hex HMAC-SHA256(secret, `${timestamp}.${raw body}`)>
import { z } from 'zod';

export const SIGNATURE_HEADER = 'x-parley-signature';
export const TIMESTAMP_HEADER = 'x-parley-timestamp';
/** Requests signed longer ago (or further ahead) than this are refused: replays of old captures. */
export const MAX_SKEW_SECONDS = 5 * 60;

const id = z.string().trim().min(1).max(200);

export const inboundApiMessage = z.object({
  /** The caller's id for this message: sending it again is a no-op. */
  messageId: id,
  /** The caller's thread id: all messages with it form one Parley conversation. */
  conversationId: id,
  contact: z.object({
    id,
    name: z.string().trim().min(1).max(200).optional(),
    email: z.string().email().optional(),
    phone: z.string().trim().min(3).max(40).optional(),
  }),
  content: z.string().min(1).max(20_000),
  /** ISO 8601 or epoch milliseconds; default: when Parley received it. */
  sentAt: z.union([z.string().datetime({ offset: true }), z.number().int().positive()]).optional(),
}).strict();
export type InboundApiMessage = z.infer<typeof inboundApiMessage>;

export interface CallbackBody {
  event: 'message.created';
  message: {
    id: string;
    conversationId: string;
    parleyConversationId: string;
    contactId: string;
    content: string;
    inReplyTo: string | null;
    sentAt: string;
  };
}
