// What Messenger and Instagram share: the `messaging[]` webhook and the Send API. Each
// connector passes its own account id (Page id / Instagram account id) and token.
import { fetchFile, fileNameFromUrl } from '../media-fetch.js';
import type { InboundAttachment, InboundEvent, MediaKind, OutboundMessage } from '../types.js';
import { PermanentError, skipped } from '../types.js';
import { fileBlob, graphRequest, graphUpload } from './graph.js';
import { DESCRIBED_ATTACHMENTS, describeAttachment, describeReferral, originOf, stickerText, toMs } from './messaging-events.js';
import { messagingItem, messagingWebhook, sendResponse, type MessagingAttachment, type MessagingItem, type SendRequest } from './wire.js';

const dec = new TextDecoder();

/**
 * Webhook body -> events, item by item: an item Parley cannot read becomes a `skipped` event
 * and its siblings are still stored. The customer is the sender of a message and the
 * recipient of an echo (our own message seen coming back), so both land in the customer's
 * thread. Items for another account subscribed to the same app are ignored: the recipient
 * (sender for echoes) must be this account; entry.id counts only when the item names neither.
 * Standby items (another app holds the thread under the handover protocol) are stored alike.
 * Throws only when the body is not JSON at all.
 */
export function parseMessaging(raw: Uint8Array, object: 'page' | 'instagram', accountId: string): InboundEvent[] {
  const json: unknown = JSON.parse(dec.decode(raw));
  const env = messagingWebhook(object).safeParse(json);
  if (!env.success) return [skipped('body', env.error)];
  if (env.data.object !== undefined && env.data.object !== object) {
    return [{ kind: 'skipped', type: `object.${env.data.object}`.slice(0, 60), reason: `object is "${env.data.object}", this inbox takes "${object}"` }];
  }
  const events: InboundEvent[] = [];
  for (const entry of env.data.entry) {
    const items = [
      ...(entry.messaging ?? []),
      ...(entry.standby ?? []),
      ...(entry.changes ?? []).filter((c) => c.field === 'messages').map((c) => c.value),
    ];
    for (const rawItem of items) {
      const type = itemType(rawItem);
      const parsed = messagingItem.safeParse(rawItem);
      if (!parsed.success) { events.push(skipped(type, parsed.error)); continue; }
      const item = parsed.data;
      const echo = Boolean(item.message?.is_echo);
      const ours = (echo ? item.sender?.id : item.recipient?.id) ?? entry.id;
      if (ours !== accountId) continue;
      try {
        const ev = toEvents(item, accountId, type);
        events.push(...ev);
      } catch (err) {
        events.push(skipped(type, err));
      }
    }
  }
  return events;
}

/** "messaging.<what>": the item's first key that is not sender/recipient/timestamp. */
function itemType(item: unknown): string {
  if (!item || typeof item !== 'object') return 'messaging.invalid';
  const key = Object.keys(item).find((k) => k !== 'sender' && k !== 'recipient' && k !== 'timestamp');
  return `messaging.${key ?? 'empty'}`;
}

const HANDOVER = new Set(['messaging.pass_thread_control', 'messaging.take_thread_control', 'messaging.request_thread_control', 'messaging.app_roles']);

function toEvents(item: MessagingItem, accountId: string, type: string): InboundEvent[] {
  const at = toMs(item.timestamp);
  const customer = item.message?.is_echo || item.sender?.id === accountId ? item.recipient?.id : item.sender?.id;
  if (item.delivery) {
    const d = item.delivery;
    const out: InboundEvent[] = (d.mids ?? []).map((mid) => ({ kind: 'status' as const, externalId: mid, status: 'delivered' as const, at: toMs(d.watermark) || at }));
    if (d.watermark !== undefined && customer) out.push({ kind: 'receipt', threadKey: customer, status: 'delivered', upTo: toMs(d.watermark) });
    return out;
  }
  if (item.read) {
    if (!customer) return [];
    const r = item.read;
    return [{ kind: 'receipt', threadKey: customer, status: 'read', ...(r.watermark !== undefined ? { upTo: toMs(r.watermark) } : {}), ...(r.mid ? { upToExternalId: r.mid } : {}) }];
  }
  if (item.reaction) {
    if (!customer) return [];
    const r = item.reaction;
    return [{ kind: 'reaction', externalId: r.mid, by: customer, emoji: r.action === 'unreact' ? null : r.emoji ?? r.reaction ?? null, at }];
  }
  if (HANDOVER.has(type)) return [];
  if (item['policy-enforcement']) {
    const pe = item['policy-enforcement'];
    return [{ kind: 'skipped', type, reason: `Meta policy enforcement: ${[pe.action, pe.reason].filter(Boolean).join(': ')}`.slice(0, 300) }];
  }
  if (!customer) return [skipped(type, new Error('the item names no customer (sender)'))];
  const base = { threadKey: customer, sender: { externalId: customer }, attachments: [], sentAt: at };
  if (item.postback) {
    const pb = item.postback;
    const text = pb.title || pb.payload || 'Pressed a button';
    const meta: Record<string, unknown> = { postback: { title: pb.title ?? null, payload: pb.payload ?? null } };
    if (pb.referral) meta.referral = originOf(pb.referral);
    return [{ kind: 'message', ...base, externalId: pb.mid ?? `postback:${customer}:${at || Date.now()}`, text: pb.referral ? `${text}\n${describeReferral(pb.referral)}` : text, meta }];
  }
  if (item.referral && !item.message) {
    return [{ kind: 'message', ...base, externalId: `referral:${customer}:${at || Date.now()}`, text: describeReferral(item.referral), meta: { referral: originOf(item.referral) } }];
  }
  if (item.optin) {
    const o = item.optin;
    return [{ kind: 'message', ...base, externalId: `optin:${customer}:${at || Date.now()}`, text: `Opted in${o.title ? `: ${o.title}` : o.type ? ` (${o.type.replaceAll('_', ' ')})` : ''}`, meta: { optin: { type: o.type ?? null, ref: o.ref ?? o.payload ?? null } } }];
  }
  const m = item.message;
  if (!m) return [skipped(type, new Error('not a kind of item Parley knows'))];
  if (m.is_deleted) return [{ kind: 'delete', externalId: m.mid, at }];
  const echo = Boolean(m.is_echo) || item.sender?.id === accountId;
  const lines: string[] = [];
  const meta: Record<string, unknown> = {};
  const attachments: InboundAttachment[] = [];
  for (const a of m.attachments ?? []) {
    const d = (a.type === 'image' ? stickerText(a) : null) ?? (DESCRIBED_ATTACHMENTS.has(a.type) ? describeAttachment(a) : null);
    // A described attachment (sticker, share, story, reel) keeps its text; its media, when it has a file, is downloaded too.
    if (d) { lines.push(d.text); Object.assign(meta, d.meta); attachments.push(...toAttachment(a, [])); } else attachments.push(...toAttachment(a, lines));
  }
  if (m.reply_to?.story) {
    meta.storyReply = { id: m.reply_to.story.id ?? null, url: m.reply_to.story.url ?? null };
    lines.unshift(`Replied to your story${m.reply_to.story.url ? `: ${m.reply_to.story.url}` : ''}`);
    // The story's media is kept with the reply (its URL expires).
    if (m.reply_to.story.url && isHttpUrl(m.reply_to.story.url)) attachments.push({ filename: fileNameFromUrl(m.reply_to.story.url) ?? '', contentType: 'application/octet-stream', size: 0, remote: { url: m.reply_to.story.url } });
  }
  if (m.referral) { meta.referral = originOf(m.referral); lines.push(describeReferral(m.referral)); }
  if (m.is_unsupported) { meta.unsupported = true; lines.push('[A message type the platform does not pass on to apps]'); }
  const text = [m.text, ...lines].filter(Boolean).join('\n');
  if (!text && attachments.length === 0) return [];
  if (m.quick_reply) meta.quickReply = m.quick_reply.payload;
  return [{
    kind: echo ? 'echo' : 'message',
    externalId: m.mid,
    threadKey: customer,
    sender: { externalId: customer },
    text,
    attachments,
    sentAt: at,
    ...(m.reply_to?.mid ? { inReplyTo: [m.reply_to.mid] } : {}),
    ...(Object.keys(meta).length ? { meta } : {}),
  }];
}

const KINDS: Record<string, MediaKind> = { image: 'image', video: 'video', audio: 'audio', file: 'file', ig_reel: 'video', reel: 'video' };
const LABELS: Record<string, string> = { share: 'Shared post', story_mention: 'Mentioned you in their story', ig_reel: 'Shared reel', reel: 'Shared reel', fallback: 'Shared link', template: 'Shared' };
const isHttpUrl = (u: string) => /^https?:\/\//i.test(u);

/** A file to download (the CDN url in payload.url), and/or a line of text for what has no file (a shared link, a reel's title). */
function toAttachment(a: MessagingAttachment, links: string[]): InboundAttachment[] {
  const url = a.payload?.url ?? a.url;
  const title = a.payload?.title ?? a.title;
  const label = LABELS[a.type];
  const hasFile = Boolean(url && isHttpUrl(url) && a.type !== 'fallback' && a.type !== 'template');
  // The link is kept as text only when there is no file to keep instead.
  if (label && (title || !hasFile)) links.push([`${label}:`, title, hasFile ? undefined : url].filter(Boolean).join(' '));
  if (!hasFile || !url) return [];
  const kind: MediaKind = a.payload?.sticker_id != null ? 'sticker' : KINDS[a.type] ?? 'file';
  // The type comes from the bytes once downloaded; the name from the URL when it has one.
  return [{ filename: fileNameFromUrl(url) ?? (a.type === 'file' ? '' : a.type), contentType: 'application/octet-stream', size: 0, kind: a.type === 'image' || a.type === 'video' || a.type === 'audio' || kind === 'sticker' ? kind : undefined, remote: { url } }];
}

/** Meta's CDN urls need no token (they are signed and expire): downloaded as they are. */
export function fetchMessagingMedia(remote: Record<string, unknown>, maxBytes: number, what: string) {
  return fetchFile(String(remote.url), { maxBytes, what });
}

const ATTACHMENT_TYPE: Record<string, string> = { image: 'image', sticker: 'image', video: 'video', audio: 'audio', voice: 'audio' };

/**
 * POST /{version}/{accountId}/messages with {messaging_type: RESPONSE, recipient, message}. A file
 * goes alone (no caption): Messenger uploads it with the message (multipart, `filedata`);
 * Instagram gives its public URL (`files: 'url'`: Parley's signed, expiring link).
 */
export async function sendMessaging(opts: { baseUrl: string; version: string; accountId: string; token: string; files?: 'upload' | 'url' }, msg: OutboundMessage) {
  const path = `/${opts.version}/${opts.accountId}/messages`;
  // After the 24-hour window: messaging_type MESSAGE_TAG with the tag Parley chose (HUMAN_AGENT).
  const kind: Record<string, string> = msg.tag ? { messaging_type: 'MESSAGE_TAG', tag: msg.tag } : { messaging_type: 'RESPONSE' };
  let data: unknown;
  if (msg.attachments.length) {
    const f = msg.attachments[0];
    const type = ATTACHMENT_TYPE[f.kind] ?? 'file';
    if (opts.files === 'url') {
      const body = { ...kind, recipient: { id: msg.recipient.externalId }, message: { attachment: { type, payload: { url: f.url } } } };
      data = await graphRequest({ baseUrl: opts.baseUrl, path, token: opts.token, body });
    } else {
      const form = new FormData();
      for (const [k, v] of Object.entries(kind)) form.append(k, v);
      form.append('recipient', JSON.stringify({ id: msg.recipient.externalId }));
      form.append('message', JSON.stringify({ attachment: { type, payload: { is_reusable: false } } }));
      form.append('filedata', fileBlob(f), f.filename);
      data = await graphUpload({ baseUrl: opts.baseUrl, path, token: opts.token, form });
    }
    const sent = sendResponse.safeParse(data);
    if (!sent.success) throw new PermanentError('The Send API answered without a message_id');
    return { externalId: sent.data.message_id };
  }
  const body: SendRequest = msg.tag
    ? { messaging_type: 'MESSAGE_TAG', tag: msg.tag, recipient: { id: msg.recipient.externalId }, message: { text: msg.text } }
    : { messaging_type: 'RESPONSE', recipient: { id: msg.recipient.externalId }, message: { text: msg.text } };
  data = await graphRequest({ baseUrl: opts.baseUrl, path, token: opts.token, body });
  const parsed = sendResponse.safeParse(data);
  if (!parsed.success) throw new PermanentError('The Send API answered without a message_id');
  return { externalId: parsed.data.message_id };
}
