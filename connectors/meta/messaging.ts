// What Messenger and Instagram share: the `messaging[]` webhook and the Send API. Each
// connector passes its own account id (Page id / Instagram account id) and token.
import type { InboundAttachment, InboundEvent, OutboundMessage } from '../types.js';
import { PermanentError } from '../types.js';
import { graphRequest } from './graph.js';
import { messagingWebhook, sendResponse, type MessagingItem, type SendRequest } from './wire.js';

const dec = new TextDecoder();

/**
 * Webhook body -> events. The customer is the sender of a message and the recipient of an
 * echo (our own message seen coming back), so both land in the customer's thread. Items for
 * another account subscribed to the same app are ignored.
 */
export function parseMessaging(raw: Uint8Array, object: 'page' | 'instagram', accountId: string): InboundEvent[] {
  const body = messagingWebhook(object).parse(JSON.parse(dec.decode(raw)));
  const events: InboundEvent[] = [];
  for (const entry of body.entry) {
    for (const item of entry.messaging ?? []) {
      const ours = item.sender.id === accountId || item.recipient.id === accountId || entry.id === accountId;
      if (!ours) continue;
      const ev = toEvents(item, accountId);
      events.push(...ev);
    }
  }
  return events;
}

function toEvents(item: MessagingItem, accountId: string): InboundEvent[] {
  if (item.delivery?.mids?.length) {
    return item.delivery.mids.map((mid) => ({ kind: 'status' as const, externalId: mid, status: 'delivered' as const, at: item.delivery!.watermark }));
  }
  const m = item.message;
  if (!m || m.is_deleted) return [];
  const echo = Boolean(m.is_echo) || item.sender.id === accountId;
  const customer = echo ? item.recipient.id : item.sender.id;
  const attachments = (m.attachments ?? []).flatMap(toAttachment);
  const text = m.text ?? '';
  if (!text && attachments.length === 0) return [];
  return [{
    kind: echo ? 'echo' : 'message',
    externalId: m.mid,
    threadKey: customer,
    sender: { externalId: customer },
    text,
    attachments,
    sentAt: item.timestamp,
    ...(m.reply_to?.mid ? { inReplyTo: [m.reply_to.mid] } : {}),
    ...(m.quick_reply ? { meta: { quickReply: m.quick_reply.payload } } : {}),
  }];
}

const CONTENT_TYPES: Record<string, string> = { image: 'image/*', video: 'video/*', audio: 'audio/*', file: 'application/octet-stream' };

function toAttachment(a: { type: string; payload?: { url?: string; title?: string } | null }): InboundAttachment[] {
  const url = a.payload?.url;
  if (!url) return [];
  let filename = a.payload?.title ?? a.type;
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    if (last && /\.[a-z0-9]{2,5}$/i.test(last)) filename = decodeURIComponent(last);
  } catch { /* keep the type as name */ }
  return [{ filename, contentType: CONTENT_TYPES[a.type] ?? 'application/octet-stream', size: 0, url }];
}

/** POST /{version}/{accountId}/messages with {messaging_type: RESPONSE, recipient, message}. */
export async function sendMessaging(opts: { baseUrl: string; version: string; accountId: string; token: string }, msg: OutboundMessage) {
  if (msg.attachments.length) throw new PermanentError('This channel does not send attachments from Parley yet');
  const body: SendRequest = { messaging_type: 'RESPONSE', recipient: { id: msg.recipient.externalId }, message: { text: msg.text } };
  const data = await graphRequest({ baseUrl: opts.baseUrl, path: `/${opts.version}/${opts.accountId}/messages`, token: opts.token, body });
  const parsed = sendResponse.safeParse(data);
  if (!parsed.success) throw new PermanentError('The Send API answered without a message_id');
  return { externalId: parsed.data.message_id };
}
