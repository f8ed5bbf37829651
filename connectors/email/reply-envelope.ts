// What a reply carries whatever sends it (SMTP or an HTTP mail API): the recipient, our
// Message-ID (derived from Parley's message id, so a retried send carries the same one and the
// recipient's server can recognise a duplicate), and the threading headers.
import { PermanentError, type OutboundMessage } from '../types.js';
import type { EmailConfig } from './config.js';
import { messageIdKey, ownMessageId } from './message-id.js';

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

export interface ReplyEnvelope {
  /** Where the reply goes: the Reply-To of the customer's latest mail, else the identity (replyRecipients). */
  to: string[];
  /** True when `to` is the conversation's identity alone (then the contact's name may go with it). */
  toIdentity: boolean;
  messageId: string; references: string[]; inReplyTo?: string;
}

const MAX_REPLY_TO = 10;

/**
 * Where the answer goes: the Reply-To of the customer's latest mail (RFC 5322 3.6.2, what every
 * mail client does), else the conversation's identity (the From address). Reply-To counts only
 * on mail from that identity whose sender the receiving server verified: a forged From with a
 * Reply-To of the forger's must not draw the real customer's answer to the forger, and an
 * admin's explicit change of the reply target is not undone by older mail.
 */
export function replyRecipients(c: Pick<EmailConfig, 'address'>, msg: OutboundMessage): string[] {
  const identity = msg.recipient.externalId;
  const meta = msg.replyToMeta;
  const mail = meta?.email as { from?: unknown; replyTo?: unknown } | undefined;
  if (!mail || meta?.unverifiedSender || typeof mail.from !== 'string' || mail.from.toLowerCase() !== identity.toLowerCase() || !Array.isArray(mail.replyTo)) return [identity];
  const own = c.address.toLowerCase();
  const list = [...new Set(mail.replyTo.filter((a): a is string => typeof a === 'string' && /^[^\s@<>",]+@[^\s@<>",]+$/.test(a)).map((a) => a.toLowerCase()))]
    .filter((a) => a !== own).slice(0, MAX_REPLY_TO);
  return list.length ? list : [identity];
}

export function replyEnvelope(c: EmailConfig, msg: OutboundMessage): ReplyEnvelope {
  // The identity's address (what the customer wrote from), never an editable profile field.
  if (!msg.recipient.externalId.includes('@')) throw new PermanentError('The customer has no email address to reply to');
  const to = replyRecipients(c, msg);
  const toIdentity = to.length === 1 && to[0].toLowerCase() === msg.recipient.externalId.toLowerCase();
  const messageId = ownMessageId(messageIdKey(c), msg.messageId, c.address.split('@')[1]);
  const references = referencesFor(msg.threadExternalIds);
  const inReplyTo = isMessageId(msg.replyToExternalId) ? msg.replyToExternalId : references[references.length - 1];
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);
  return { to, toIdentity, messageId, references, inReplyTo };
}
