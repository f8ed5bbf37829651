// Replies over SMTP with nodemailer: threaded headers, classified failures.
import nodemailer from 'nodemailer';
import { PermanentError, RetryableError, type OutboundMessage } from '../types.js';
import type { EmailConfig } from './config.js';
import { messageIdKey, ownMessageId } from './message-id.js';
import { assertPublicHost, PrivateNetworkError } from '../net-guard.js';

const MAX_REFERENCES = 20;

/** "Re: subject" without stacking prefixes (Re:, RE:, Aw:, 回复:, 答复:). */
export function replySubject(subject: string | undefined): string {
  const s = (subject ?? '').trim();
  if (!s) return 'Re: your message';
  return /^(re|aw|sv|antw|回复|回覆|答复)\s*(\[\d+\])?\s*[:：]/i.test(s) ? s : `Re: ${s}`;
}

const isMessageId = (s: string | undefined): s is string => !!s && /^<[^<>\s]+>$/.test(s);

/** RFC 5322: parent's References + parent's id; long chains keep the root and the newest. */
export function referencesFor(ids: string[]): string[] {
  const list = [...new Set(ids.filter(isMessageId))];
  return list.length <= MAX_REFERENCES ? list : [list[0], ...list.slice(-(MAX_REFERENCES - 1))];
}

interface SmtpErrorLike { code?: string; responseCode?: number; response?: string; message?: string; command?: string }

const NETWORK = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPROTOCOL', 'ETLS']);

/** 4xx and network trouble may pass later; 5xx and refused credentials will not. */
export function classifySmtpError(err: unknown, c: EmailConfig): Error {
  const e = (err ?? {}) as SmtpErrorLike;
  const where = `${c.smtp.host}:${c.smtp.port}`;
  const detail = (e.response ?? e.message ?? String(err)).replace(/\s+/g, ' ').trim();
  if (e.responseCode && e.responseCode >= 400 && e.responseCode < 500) {
    return new RetryableError(`SMTP ${where} answered ${e.responseCode} (temporary): ${detail}`, e.responseCode === 421 ? 60_000 : undefined);
  }
  if (e.responseCode && e.responseCode >= 500) {
    const hint = e.code === 'EAUTH' ? '; check the SMTP user and password (Gmail and Outlook need an app password)' : '';
    return new PermanentError(`SMTP ${where} refused with ${e.responseCode}: ${detail}${hint}`);
  }
  if (e.code === 'EAUTH') return new PermanentError(`SMTP login failed on ${where}: ${detail}`);
  if (e.code === 'EENVELOPE') return new PermanentError(`SMTP ${where}: ${detail}`);
  if (e.code && NETWORK.has(e.code)) return new RetryableError(`Cannot reach SMTP server ${where} (${e.code}): ${detail}`);
  return new RetryableError(`SMTP ${where}: ${detail}`);
}

export async function sendEmail(c: EmailConfig, msg: OutboundMessage): Promise<{ externalId: string }> {
  // The identity's address (what the customer wrote from), never an editable profile field.
  const to = msg.recipient.externalId.includes('@') ? msg.recipient.externalId : undefined;
  if (!to) throw new PermanentError('The customer has no email address to reply to');
  const domain = c.address.split('@')[1];
  // Derived from Parley's message id: a retried send carries the same Message-ID, so the
  // recipient's server can recognise a duplicate.
  const messageId = ownMessageId(messageIdKey(c), msg.messageId, domain);
  const references = referencesFor(msg.threadExternalIds);
  const inReplyTo = isMessageId(msg.replyToExternalId) ? msg.replyToExternalId : references[references.length - 1];
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);

  try {
    await assertPublicHost(c.smtp.host);
  } catch (err) {
    if (err instanceof PrivateNetworkError) throw new PermanentError(`SMTP ${c.smtp.host}: ${err.message}`);
    throw classifySmtpError(err, c);
  }
  const transport = nodemailer.createTransport({
    host: c.smtp.host, port: c.smtp.port, secure: c.smtp.secure,
    // Without implicit TLS, STARTTLS is required (the password never crosses in the clear)
    // unless the inbox says allowPlaintext (a local test server).
    requireTLS: !c.smtp.secure && !c.allowPlaintext,
    ...(c.smtp.user ? { auth: { user: c.smtp.user, pass: c.smtp.password ?? '' } } : {}),
    connectionTimeout: 20_000, greetingTimeout: 15_000, socketTimeout: 60_000,
  });
  try {
    await transport.sendMail({
      from: c.fromName ? { name: c.fromName, address: c.address } : c.address,
      to: msg.recipient.name ? { name: msg.recipient.name, address: to } : to,
      subject: replySubject(msg.subject),
      text: msg.text,
      messageId,
      ...(inReplyTo ? { inReplyTo } : {}),
      ...(references.length ? { references } : {}),
      attachments: msg.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength) })),
    });
  } catch (err) {
    throw classifySmtpError(err, c);
  } finally {
    transport.close();
  }
  return { externalId: messageId };
}
