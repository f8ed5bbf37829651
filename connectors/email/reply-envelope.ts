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

export interface ReplyEnvelope { to: string; messageId: string; references: string[]; inReplyTo?: string }

export function replyEnvelope(c: EmailConfig, msg: OutboundMessage): ReplyEnvelope {
  // The identity's address (what the customer wrote from), never an editable profile field.
  const to = msg.recipient.externalId.includes('@') ? msg.recipient.externalId : undefined;
  if (!to) throw new PermanentError('The customer has no email address to reply to');
  const messageId = ownMessageId(messageIdKey(c), msg.messageId, c.address.split('@')[1]);
  const references = referencesFor(msg.threadExternalIds);
  const inReplyTo = isMessageId(msg.replyToExternalId) ? msg.replyToExternalId : references[references.length - 1];
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);
  return { to, messageId, references, inReplyTo };
}
