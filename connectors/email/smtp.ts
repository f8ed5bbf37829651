// Replies over SMTP with nodemailer: threaded headers, classified failures.
import nodemailer from 'nodemailer';
import { PermanentError, RetryableError, type OutboundMessage } from '../types.js';
import type { EmailConfig } from './config.js';
import { replyEnvelope, replySubject } from './reply-envelope.js';
import { assertPublicHost, PrivateNetworkError } from '../net-guard.js';

export { referencesFor, replyRecipients, replySubject } from './reply-envelope.js';

interface SmtpErrorLike { code?: string; responseCode?: number; response?: string; message?: string; command?: string }

const NETWORK = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPROTOCOL', 'ETLS']);

/** 4xx and network trouble may pass later; 5xx and refused credentials will not. */
export function classifySmtpError(err: unknown, c: EmailConfig): Error {
  const e = (err ?? {}) as SmtpErrorLike;
  const where = `${c.smtp?.host}:${c.smtp?.port}`;
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
  const { to, toIdentity, messageId, references, inReplyTo } = replyEnvelope(c, msg);
  if (!c.smtp) throw new PermanentError('This email inbox has no SMTP server (and no mailApi) to send with');
  const smtp = c.smtp;
  try {
    await assertPublicHost(smtp.host);
  } catch (err) {
    if (err instanceof PrivateNetworkError) throw new PermanentError(`SMTP ${smtp.host}: ${err.message}`);
    throw classifySmtpError(err, c);
  }
  const transport = nodemailer.createTransport({
    host: smtp.host, port: smtp.port, secure: smtp.secure,
    // Without implicit TLS, STARTTLS is required (the password never crosses in the clear)
    // unless the inbox says allowPlaintext (a local test server).
    requireTLS: !smtp.secure && !c.allowPlaintext,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: 20_000, greetingTimeout: 15_000, socketTimeout: 60_000,
  });
  try {
    await transport.sendMail({
      from: c.fromName ? { name: c.fromName, address: c.address } : c.address,
      to: toIdentity && msg.recipient.name ? { name: msg.recipient.name, address: to[0] } : to,
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
