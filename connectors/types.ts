// The one interface every platform implements, and the normalized events it produces.
// Connectors depend on this file and their own wire format only, never on the domain.
import type { ZodType } from 'zod';

/** A registered connector's kind ('messenger', 'email', ...). The list of kinds is the registry's
 *  (`CHANNEL_KINDS` in registry.ts): nothing else names them all. */
export type ChannelKind = string;

/** How a channel presents itself to people: `GET /api/v1/channels`, the web app, the docs. */
export interface ChannelInfo {
  /** Its name for people ("Facebook Messenger"). */
  label: string;
  /** A short tag shown beside conversations (2-4 letters: "FB"). */
  badge: string;
  /** The badge's background, a #rrggbb colour (white text on it). */
  color: string;
  /** A starting `config` for the admin's new-inbox form: the required keys, empty or typical. */
  configTemplate: Record<string, unknown>;
  /** `connectors/<kind>/sandbox.ts` exports `sandbox` (a SandboxAdapter): `npm run demo` runs it. */
  sandbox?: boolean;
  /** The channel's customers talk to Parley's own public endpoints (the web chat widget), not a
   *  platform: the inbox gets a `webchatToken` and `/public/webchat/:token/*` serves it. */
  publicWidget?: boolean;
}

/** kind -> connector (built by connectors/registry.ts; the domain sees only this type). */
export type Registry = Map<ChannelKind, Connector<any>>;

export interface InboundAttachment {
  filename: string;
  /** What the sender declared; Parley sniffs the bytes and keeps what they really are. */
  contentType: string;
  /** Declared size (0 = unknown); the stored size is the bytes' length. */
  size: number;
  /** The bytes, when they came in the delivery itself (email). */
  data?: Uint8Array;
  /** A link kept instead of a file (legacy rows only: new files are downloaded). */
  url?: string;
  /** A file still on the platform: handed back to `connector.fetchMedia` after the webhook is answered. */
  remote?: Record<string, unknown>;
  /** Why the file cannot be taken at all (e.g. over the platform's download limit): kept as refused. */
  refused?: string;
  /** What the customer sent, for display: image, sticker, video, audio, voice, file. */
  kind?: MediaKind;
}

export type MediaKind = 'image' | 'sticker' | 'video' | 'audio' | 'voice' | 'file';

/** The bytes of a platform file, as `fetchMedia` downloaded them. */
export interface FetchedMedia { data: Uint8Array; contentType?: string; filename?: string }

/** One outgoing file (bytes from the blob store; `url` = a signed, expiring public URL of it). */
export interface OutboundFile { filename: string; contentType: string; size: number; data: Uint8Array; url: string; kind: MediaKind }

/** The unit media limits are written in (bytes). */
export const MB = 1048576;

/** What a channel takes: checked when a reply is written, so nothing is queued to fail later. */
export interface MediaLimits {
  /** Largest inbound file Parley downloads for this channel. */
  inboundMaxBytes: number;
  /** Absent = the channel sends no files. */
  outbound?: {
    maxFiles: number;
    /** Files per platform message: a reply with more goes out as several messages. */
    filesPerMessage: number;
    /** Whether the text rides on the (first) file as its caption; else it goes first on its own. */
    captions: boolean;
    maxCaptionLength?: number;
    /** Allowed types (exact, or "image/*"), each with its size limit; the first match applies. */
    types: { type: string; maxBytes: number }[];
  };
}

export interface InboundSender {
  externalId: string;
  name?: string;
  handle?: string;
  email?: string;
  phone?: string;
  /** Other ids of the same person on this channel (WhatsApp business-scoped user id beside the
   *  phone): an identity known under either joins the same contact. */
  aliases?: string[];
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
  /** Mass mail (a mailing list, a newsletter): opens or joins a conversation, marked, but is never answered automatically. */
  bulk?: { reason: string; listId?: string; unsubscribe?: string };
  /** The customer opted out of (true: SMS STOP) or back into (false: START) messages on this channel account. */
  optOut?: boolean;
  meta?: Record<string, unknown>;
}

/** Delivery news about a message we sent (WhatsApp statuses, read receipts). */
export interface InboundStatusEvent {
  kind: 'status';
  externalId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  error?: string;
  at: number;
  /** The platform refused because the customer opted out (Twilio 21610): mark their identity. */
  optedOut?: boolean;
}

/** Read/delivery news for every reply of ours in a thread up to a point (Meta watermarks). */
export interface InboundReceiptEvent {
  kind: 'receipt';
  threadKey: string;
  status: 'delivered' | 'read';
  /** Platform time (ms) up to which our messages were delivered/read. */
  upTo?: number;
  /** Or: up to this message of ours (Instagram `read.mid`). */
  upToExternalId?: string;
}

/** The customer changed the text of an earlier message (Telegram edited_message, WhatsApp edit). */
export interface InboundEditEvent { kind: 'edit'; externalId: string; text: string; at: number }

/** The customer withdrew an earlier message (Instagram is_deleted, WhatsApp revoke). */
export interface InboundDeleteEvent { kind: 'delete'; externalId: string; at: number }

/** A reaction on a message (ours or the customer's); emoji null = the reaction was removed. */
export interface InboundReactionEvent { kind: 'reaction'; externalId: string; by: string; emoji: string | null; at: number }

/**
 * Something in a validly signed webhook Parley cannot use (an unknown or malformed item).
 * Counted per inbox and type and logged; the platform is still answered 2xx and the other
 * items of the same body are stored.
 */
export interface InboundSkippedEvent { kind: 'skipped'; type: string; reason: string }

export type InboundEvent = InboundMessageEvent | InboundStatusEvent | InboundReceiptEvent | InboundEditEvent | InboundDeleteEvent | InboundReactionEvent | InboundSkippedEvent;

/** Items that change what is stored about earlier messages, not new messages. */
export type InboundUpdateEvent = InboundStatusEvent | InboundReceiptEvent | InboundEditEvent | InboundDeleteEvent | InboundReactionEvent;

export const isMessageEvent = (e: InboundEvent): e is InboundMessageEvent => e.kind === 'message' || e.kind === 'echo';

/** A skipped item with a short reason from whatever was thrown (a zod error's first issue). */
export function skipped(type: string, err: unknown): InboundSkippedEvent {
  const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] })?.issues;
  const reason = issues?.length
    ? `${issues[0].path.map(String).join('.') || 'body'}: ${issues[0].message}`
    : err instanceof Error ? err.message : String(err);
  return { kind: 'skipped', type: type.slice(0, 60), reason: reason.slice(0, 300) };
}

export interface OutboundMessage {
  messageId: string;
  conversationId: string;
  threadKey: string;
  /** The conversation's identity: externalId is where the reply goes (email/SMS included). */
  recipient: InboundSender;
  text: string;
  subject?: string;
  /** Platform id of the customer's latest message, for platforms that quote or thread replies. */
  replyToExternalId?: string;
  /** What the platform told us with that latest message (its stored meta, e.g. an email's Reply-To), for platforms whose answer depends on it. */
  replyToMeta?: Record<string, unknown>;
  /** Platform ids of the thread so far, oldest first (email References). */
  threadExternalIds: string[];
  attachments: OutboundFile[];
  /** Sent after the free reply window under a platform tag (Messenger/Instagram HUMAN_AGENT). */
  tag?: string;
  /** A pre-approved message template instead of free text (WhatsApp outside the 24 h window). */
  template?: OutboundTemplate;
}

export interface OutboundTemplate {
  name: string;
  language: string;
  /** The body's {{1}}, {{2}}… values. */
  parameters: string[];
  /** The header's value: its {{1}} text, or the image/document/video it shows: by link, or without one the message's attached file. */
  header?: { format: 'text'; text: string } | { format: 'image' | 'document' | 'video'; link?: string; filename?: string };
  /** Values of the buttons with a dynamic part, by the button's index. */
  buttons?: { index: number; type: 'quick_reply' | 'url'; value: string }[];
}

/** A template's header: fixed or {{1}} text, or a media slot filled at send time. */
export interface TemplateHeader { format: 'text' | 'image' | 'document' | 'video'; text: string | null; parameters: number }

/** A template button; `parameter` says what a send must (url) or may (quick_reply) give for it. */
export interface TemplateButton {
  index: number;
  type: 'quick_reply' | 'url' | 'phone_number';
  text: string;
  url: string | null;
  /** payload: a quick reply's optional payload; suffix: the URL's required {{1}} part; null: nothing to fill. */
  parameter: 'payload' | 'suffix' | null;
}

/** An approved message template as the platform lists it. */
export interface ChannelTemplate {
  name: string;
  language: string;
  category: string | null;
  /** The body text with {{1}}, {{2}}… placeholders. */
  body: string;
  /** How many body parameters it takes. */
  parameters: number;
  header?: TemplateHeader | null;
  footer?: string | null;
  buttons?: TemplateButton[];
}

/** The platform may accept the same call later (429, 5xx, network). */
export class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) { super(message); }
}
/** The platform refused for good (auth, validation, window closed): do not retry. */
export class PermanentError extends Error {}
/** A file over the size Parley takes from this channel (found while downloading it). */
export class FileTooLargeError extends PermanentError {
  constructor(readonly limitBytes: number, readonly sizeBytes?: number) {
    super(`the file is ${sizeBytes ? `${(sizeBytes / 1048576).toFixed(1)} MB` : 'larger than that'}, over the limit of ${(limitBytes / 1048576).toFixed(1)} MB`);
  }
}

export interface WebhookContext {
  /** The URL as the request arrived. */
  url: string;
  /** The same path on Parley's configured public URL (what a platform behind a proxy signed). */
  publicUrl: string;
}

export interface PollOptions { holdSeconds?: number }

export interface PollResult {
  events: InboundEvent[];
  /** Stored in the same atomic unit as the events. */
  cursor: string | null;
  /** The platform has more waiting: poll again right away. */
  more?: boolean;
  /** The platform's rate limit asks for this long before the next call (x-rate-limit-reset pacing). */
  waitMs?: number;
  /** How much is left to import, when the platform can say (IMAP: messages above the cursor). */
  backlog?: { remaining: number };
}

/** What a session reports back to its poll loop. */
export interface SessionHooks {
  log?(level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void;
}

export interface PollSession {
  poll(cursor: string | null, signal?: AbortSignal): Promise<PollResult>;
  /** Waits for the platform to push news (IMAP IDLE: EXISTS). Resolves 'news' when it did,
   *  'timeout' after maxMs, 'unsupported' at once when this server cannot push (then the loop
   *  polls on its interval), 'dropped' when the connection went away (the next poll reconnects). */
  waitForNews(maxMs: number, signal?: AbortSignal): Promise<'news' | 'timeout' | 'unsupported' | 'dropped'>;
  close(): Promise<void>;
}

export interface Connector<C = unknown> {
  kind: ChannelKind;
  info: ChannelInfo;
  config: ZodType<C>;
  /** Fields of the config that are secrets: never returned by the API. */
  secretFields?: string[];
  /** Platform subscription checks (Meta hub.challenge, X CRC). null = not a handshake. Must not
   *  read the body: it is read once, after, for the signature (no per-request clone). */
  handshake?(req: Request, c: C): Promise<Response | null>;
  /** Signature check over the raw bytes, before anything is parsed or stored. */
  verify?(req: Request, raw: Uint8Array, c: C, ctx: WebhookContext): Promise<boolean>;
  parse?(raw: Uint8Array, c: C, req: Request): InboundEvent[];
  /** After the events of a webhook or poll are stored: platform calls they require
   *  (Telegram's answerCallbackQuery). Failures are logged, never fail the webhook. */
  afterIngest?(c: C, events: InboundEvent[]): Promise<void>;
  /** The body the platform expects back from a webhook, when not `{"ok":true}`. */
  webhookResponse?(): Response;
  /** One page from the cursor on (see PollResult). With `opts.holdSeconds` (only given when
   *  the last poll found nothing more) a long-polling platform may hold the request open that
   *  long until something arrives. */
  poll?(c: C, cursor: string | null, signal?: AbortSignal, opts?: PollOptions): Promise<PollResult>;
  /** Long polling: how long one poll may be held open (Telegram getUpdates `timeout`). A poll
   *  loop then polls again at once after each answer instead of waiting pollSeconds. */
  longPollSeconds?(c: C): number | null;
  /** One persistent connection per inbox, shared by fetching and waiting for news (IMAP). */
  openSession?(c: C, hooks: SessionHooks): PollSession;
  send(c: C, msg: OutboundMessage): Promise<{ externalId: string }>;
  /** Profile lookup for a sender (name, handle), cached on the contact identity. */
  fetchProfile?(c: C, externalId: string): Promise<Partial<InboundSender> | null>;
  /** Default poll interval when the inbox polls. */
  pollSeconds?(c: C): number | null;
  /**
   * A message the runtime was handed for the address `receivesFor` names (Workers: Email
   * Routing's email() handler), as events; the alternative to polling for it.
   */
  receivesFor?(c: C): string;
  receive?(raw: Uint8Array, c: C): Promise<InboundEvent[]>;
  /** This channel can start a thread with a contact it has never heard from, by the contact's
   *  email address or phone ("continue on email/SMS"); `threadKey` says whether the address
   *  is the thread (the customer's next message joins it) or a new unique key is used. */
  startsThreads?: { by: 'email' | 'phone'; threadKey: 'address' | 'unique' };
  /** The account's approved message templates (WhatsApp message_templates). */
  listTemplates?(c: C): Promise<ChannelTemplate[]>;
  /** Downloads one `remote` file of an inbound attachment with the inbox's credentials. Throws
   *  RetryableError (5xx, timeout: tried again later) or PermanentError (gone, refused). */
  fetchMedia?(c: C, remote: Record<string, unknown>, opts: { maxBytes: number }): Promise<FetchedMedia>;
  limits: {
    replyWindowHours?: number;
    /** After replyWindowHours, replies are still allowed up to this many hours under `tag`. */
    taggedReply?: { hours: number; tag: string };
    /** Outside the window a template may still be sent (listTemplates). */
    templatesOutsideWindow?: boolean;
    maxTextLength?: number;
    attachments: boolean;
    media?: MediaLimits;
  };
}
