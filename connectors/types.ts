// The one interface every platform implements, and the normalized events it produces.
// Connectors depend on this file and their own wire format only, never on the domain.
import type { ZodType } from 'zod';

export const CHANNEL_KINDS = ['webchat', 'email', 'twitter', 'messenger', 'instagram', 'whatsapp', 'telegram', 'sms', 'api'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface InboundAttachment {
  filename: string;
  contentType: string;
  size: number;
  data?: Uint8Array;
  url?: string;
}

export interface InboundSender {
  externalId: string;
  name?: string;
  handle?: string;
  email?: string;
  phone?: string;
}

/** A customer's message, or our own message seen coming back from the platform (echo). */
export interface InboundMessageEvent {
  kind: 'message' | 'echo';
  externalId: string;
  /** Groups messages into one conversation within the inbox (chat id, sender id, email thread root). */
  threadKey: string;
  /** The customer: who wrote a message, or for an echo, whom our message went to. */
  sender: InboundSender;
  text: string;
  html?: string;
  subject?: string;
  attachments: InboundAttachment[];
  sentAt: number;
  /** Platform ids this message answers (email In-Reply-To and References): joins their conversation. */
  inReplyTo?: string[];
  /** Automated mail (bounce, auto-reply): stored on an existing thread, never opens one nor triggers replies. */
  automated?: boolean;
  meta?: Record<string, unknown>;
}

/** Delivery news about a message we sent (WhatsApp statuses, read receipts). */
export interface InboundStatusEvent {
  kind: 'status';
  externalId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  error?: string;
  at: number;
}

export type InboundEvent = InboundMessageEvent | InboundStatusEvent;

export interface OutboundMessage {
  messageId: string;
  conversationId: string;
  threadKey: string;
  recipient: InboundSender;
  text: string;
  subject?: string;
  /** Platform id of the customer's latest message, for platforms that quote or thread replies. */
  replyToExternalId?: string;
  /** Platform ids of the thread so far, oldest first (email References). */
  threadExternalIds: string[];
  attachments: { filename: string; contentType: string; data: Uint8Array }[];
}

/** The platform may accept the same call later (429, 5xx, network). */
export class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) { super(message); }
}
/** The platform refused for good (auth, validation, window closed): do not retry. */
export class PermanentError extends Error {}

export interface WebhookContext {
  /** The URL as the request arrived. */
  url: string;
  /** The same path on Parley's configured public URL (what a platform behind a proxy signed). */
  publicUrl: string;
}

export interface Connector<C = unknown> {
  kind: ChannelKind;
  config: ZodType<C>;
  /** Fields of the config that are secrets: never returned by the API. */
  secretFields?: string[];
  /** Platform subscription checks (Meta hub.challenge, X CRC). null = not a handshake. Must not
   *  read the body: it is read once, after, for the signature (no per-request clone). */
  handshake?(req: Request, c: C): Promise<Response | null>;
  /** Signature check over the raw bytes, before anything is parsed or stored. */
  verify?(req: Request, raw: Uint8Array, c: C, ctx: WebhookContext): Promise<boolean>;
  parse?(raw: Uint8Array, c: C, req: Request): InboundEvent[];
  /** The body the platform expects back from a webhook, when not `{"ok":true}`. */
  webhookResponse?(): Response;
  /** One page from the cursor on; `more` = the platform has more waiting, poll again right away. */
  poll?(c: C, cursor: string | null, signal?: AbortSignal): Promise<{ events: InboundEvent[]; cursor: string | null; more?: boolean }>;
  send(c: C, msg: OutboundMessage): Promise<{ externalId: string }>;
  /** Profile lookup for a sender (name, handle), cached on the contact identity. */
  fetchProfile?(c: C, externalId: string): Promise<Partial<InboundSender> | null>;
  /** Default poll interval when the inbox polls. */
  pollSeconds?(c: C): number | null;
  limits: { replyWindowHours?: number; maxTextLength?: number; attachments: boolean };
}
