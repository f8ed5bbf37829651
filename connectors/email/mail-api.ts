// Replies through an HTTP mail API: Resend's `POST /emails` (https://resend.com/docs/api-reference/emails/send-email),
// over fetch, so it runs on Workers (no raw TCP for SMTP there) as well as on Node. The reply
// carries the same Message-ID and threading headers SMTP would send; the Idempotency-Key is
// Parley's message id, so a retried delivery is not sent twice (Resend keeps keys for 24 h).
import { PermanentError, RetryableError, type OutboundMessage } from '../types.js';
import { fetchErrorMessage, guardedFetch, PrivateNetworkError, readBounded } from '../net-guard.js';
import type { EmailConfig } from './config.js';
import { replyEnvelope, replySubject } from './reply-envelope.js';

const DEFAULT_BASE = 'https://api.resend.com';
const TIMEOUT_MS = 30_000;

/** The JSON body of Resend's send call, as far as Parley fills it. */
export interface MailApiEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  headers: Record<string, string>;
  attachments?: { filename: string; content: string; content_type: string }[];
}

const quoted = (name: string) => `"${name.replace(/["\\\r\n]/g, '')}"`;
const b64 = (bytes: Uint8Array) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

export async function sendWithMailApi(c: EmailConfig, api: NonNullable<EmailConfig['mailApi']>, msg: OutboundMessage): Promise<{ externalId: string }> {
  const { to, toIdentity, messageId, references, inReplyTo } = replyEnvelope(c, msg);
  const body: MailApiEmail = {
    from: c.fromName ? `${quoted(c.fromName)} <${c.address}>` : c.address,
    to: toIdentity && msg.recipient.name ? [`${quoted(msg.recipient.name)} <${to[0]}>`] : to,
    subject: replySubject(msg.subject),
    text: msg.text,
    headers: { 'Message-ID': messageId, ...(inReplyTo ? { 'In-Reply-To': inReplyTo } : {}), ...(references.length ? { References: references.join(' ') } : {}) },
    ...(msg.attachments.length ? { attachments: msg.attachments.map((a) => ({ filename: a.filename, content: b64(a.data), content_type: a.contentType })) } : {}),
  };
  const url = `${(c.apiBaseUrl ?? DEFAULT_BASE).replace(/\/+$/, '')}/emails`;
  let res: Response;
  try {
    res = await guardedFetch(url, {
      method: 'POST', signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json', 'idempotency-key': msg.messageId },
      body: JSON.stringify(body),
    });
  } catch (err) {
    const why = fetchErrorMessage(err);
    if ((err as { cause?: unknown }).cause instanceof PrivateNetworkError || err instanceof PrivateNetworkError) throw new PermanentError(`Mail API was not called: ${why}`);
    throw new RetryableError(`Mail API could not be reached: ${why}`);
  }
  const text = await readBounded(res, 16 * 1024);
  if (res.ok) return { externalId: messageId };
  let detail = text.slice(0, 300);
  try { const j = JSON.parse(text) as { message?: string; name?: string }; detail = `${j.name ?? ''} ${j.message ?? ''}`.trim() || detail; } catch { /* not JSON */ }
  const what = `Mail API answered ${res.status}: ${detail}`;
  // Rate limits and the provider's own trouble pass; a refused key or message will not.
  if (res.status === 429) {
    const after = Number(res.headers.get('retry-after'));
    throw new RetryableError(what, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
  }
  if (res.status >= 500 || res.status === 408) throw new RetryableError(what);
  if (res.status === 401 || res.status === 403) throw new PermanentError(`${what}; check the inbox's mailApi.apiKey`);
  throw new PermanentError(what);
}
