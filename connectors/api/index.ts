// The API channel: any system can post messages into an inbox and receive the replies.
// In:  POST /webhooks/:inboxId with JSON {messageId, conversationId, contact, content, sentAt?},
//      signed (see wire.ts); the caller's messageId dedupes retries, its conversationId threads.
// Out: with a callbackUrl, each reply is POSTed there as {event:'message.created', message}
//      signed the same way; 429/5xx/network are retried with backoff, other 4xx fail the reply.
//      Without a callbackUrl the reply is stored and marked sent at once (its id is Parley's
//      message id) and the caller reads it from the REST API.
import { z } from 'zod';
import { PermanentError, RetryableError, type Connector } from '../types.js';
import { inboundApiMessage, MAX_SKEW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, type CallbackBody } from './wire.js';
import { concatBytes, constantTimeEqual, hex, hmac } from '../signing.js';
import { parseRetryAfter } from '../retry-after.js';
import { discardBody, fetchErrorMessage, guardedFetch, PrivateNetworkError } from '../net-guard.js';

export const apiConfig = z.object({
  /** Shared HMAC key for both directions (at least 24 characters). */
  secret: z.string().min(24),
  callbackUrl: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
}).strict();
export type ApiConfig = z.infer<typeof apiConfig>;

const TIMEOUT_MS = 10_000;

/** sha256=<hex HMAC-SHA256(secret, `${timestamp}.` + raw body bytes)>. */
export async function parleySignature(secret: string, timestamp: string, raw: Uint8Array | string): Promise<string> {
  return `sha256=${hex(await hmac('SHA-256', secret, concatBytes(`${timestamp}.`, raw)))}`;
}

/** True when the headers carry a fresh timestamp and a matching signature. */
export async function verifyParleySignature(secret: string, headers: Headers, raw: Uint8Array, nowMs = Date.now()): Promise<boolean> {
  const ts = headers.get(TIMESTAMP_HEADER);
  const sig = headers.get(SIGNATURE_HEADER);
  if (!ts || !sig || !/^\d{1,12}$/.test(ts)) return false;
  if (Math.abs(nowMs / 1000 - Number(ts)) > MAX_SKEW_SECONDS) return false;
  return constantTimeEqual(sig, await parleySignature(secret, ts, raw));
}

export const api: Connector<ApiConfig> = {
  kind: 'api',
  info: { label: 'API channel', badge: 'API', color: '#475569', configTemplate: { secret: '' }, sandbox: true },
  config: apiConfig,
  secretFields: ['secret'],

  verify: (req, raw, c) => verifyParleySignature(c.secret, req.headers, raw),

  parse(raw) {
    const m = inboundApiMessage.parse(JSON.parse(new TextDecoder().decode(raw)));
    return [{
      kind: 'message',
      externalId: m.messageId,
      threadKey: m.conversationId,
      sender: { externalId: m.contact.id, name: m.contact.name, email: m.contact.email, phone: m.contact.phone },
      text: m.content,
      attachments: [],
      sentAt: m.sentAt === undefined ? 0 : typeof m.sentAt === 'number' ? m.sentAt : Date.parse(m.sentAt),
    }];
  },

  async send(c, msg) {
    if (!c.callbackUrl) return { externalId: msg.messageId };
    const body: CallbackBody = {
      event: 'message.created',
      message: {
        id: msg.messageId,
        conversationId: msg.threadKey,
        parleyConversationId: msg.conversationId,
        contactId: msg.recipient.externalId,
        content: msg.text,
        inReplyTo: msg.replyToExternalId ?? null,
        sentAt: new Date().toISOString(),
      },
    };
    const raw = JSON.stringify(body);
    const ts = String(Math.floor(Date.now() / 1000));
    let res: Response;
    try {
      res = await guardedFetch(c.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: await parleySignature(c.secret, ts, raw), 'user-agent': 'Parley-API-Channel/1' },
        body: raw,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'manual',
      });
    } catch (err) {
      const why = fetchErrorMessage(err);
      if (err instanceof PrivateNetworkError || (err as { cause?: unknown }).cause instanceof PrivateNetworkError) throw new PermanentError(`The callback URL was not called: ${why}`);
      throw new RetryableError(`The callback URL could not be reached: ${why}`);
    }
    // The answer's body is never read into the reply's error: only its status line.
    discardBody(res);
    if (res.ok) return { externalId: msg.messageId };
    const what = `The callback URL answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    if (res.status === 429 || res.status >= 500) {
      throw new RetryableError(what, parseRetryAfter(res.headers.get('retry-after')));
    }
    throw new PermanentError(what);
  },

  limits: { attachments: false, maxTextLength: 20_000 },
};
