// WhatsApp Cloud API: one business phone number. Meta's webhook checks (hub.challenge,
// X-Hub-Signature-256 over the raw bytes); customers' messages with the profile name from
// contacts[]; statuses[] move our replies to delivered/read/failed; replies are text
// messages through the Cloud API, quoting the customer's message they answer, within the
// 24-hour customer service window (outside it WhatsApp requires a template).
import { z } from 'zod';
import { graphRequest } from '../meta/graph.js';
import { uploadMedia } from './media-upload.js';
import { graphRootKeys, metaWebhook, webhookSecretKeys } from '../meta/config.js';
import { fetchFile } from '../media-fetch.js';
import { MB, PermanentError, skipped, type Connector, type InboundAttachment, type InboundEvent, type InboundStatusEvent, type MediaKind, type OutboundMessage } from '../types.js';
import { contactsText, describeWaReferral, flowReplyText, locationText, orderText, waOrigin } from './content.js';
import { listTemplates, sendTemplate } from './templates.js';
import { sendMessage } from './send-message.js';
import { WHATSAPP_MAX_TEXT, waMediaInfo, waEcho, waInboundMessage, waStatus, waValue, whatsappWebhook, type WaInboundMessage } from './wire.js';

export const whatsappConfig = z.object({
  phoneNumberId: z.string().min(1),
  accessToken: z.string().min(1),
  ...webhookSecretKeys,
  /** The WhatsApp Business Account id: needed to list the approved message templates. */
  wabaId: z.string().min(1).optional(),
  ...graphRootKeys,
});
export type WhatsappConfig = z.infer<typeof whatsappConfig>;

const dec = new TextDecoder();
// Cloud API media limits (Meta: "Supported media types"). The Cloud API downloads up to 100 MB.
export const WHATSAPP_MEDIA = {
  inboundMaxBytes: 100 * MB,
  outbound: {
    maxFiles: 10, filesPerMessage: 1, captions: true, maxCaptionLength: 1024,
    types: [
      { type: 'image/jpeg', maxBytes: 5 * MB }, { type: 'image/png', maxBytes: 5 * MB }, { type: 'image/webp', maxBytes: 500 * 1024 },
      { type: 'video/mp4', maxBytes: 16 * MB }, { type: 'video/3gpp', maxBytes: 16 * MB },
      { type: 'audio/*', maxBytes: 16 * MB },
      { type: 'application/pdf', maxBytes: 100 * MB }, { type: 'text/plain', maxBytes: 100 * MB }, { type: 'application/*', maxBytes: 100 * MB },
    ],
  },
};
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

/**
 * Webhook body -> events, item by item (an unusable item is a `skipped` event; the others are
 * still stored). Only changes for this inbox's phone number count. The customer is the phone
 * (`from`) when given, else the business-scoped user id (`from_user_id`); when both are known
 * the user id is an alias, so either one finds the same contact.
 */
export function parseWhatsapp(raw: Uint8Array, c: Pick<WhatsappConfig, 'phoneNumberId'>): InboundEvent[] {
  const json: unknown = JSON.parse(dec.decode(raw));
  const body = whatsappWebhook.safeParse(json);
  if (!body.success) return [skipped('body', body.error)];
  if (body.data.object !== 'whatsapp_business_account') return [{ kind: 'skipped', type: `object.${body.data.object}`.slice(0, 60), reason: `object is "${body.data.object}", not whatsapp_business_account` }];
  const events: InboundEvent[] = [];
  for (const entry of body.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages' && change.field !== 'smb_message_echoes') {
        events.push({ kind: 'skipped', type: `change.${change.field}`.slice(0, 60), reason: 'a webhook field Parley does not use' });
        continue;
      }
      const parsedValue = waValue.safeParse(change.value);
      if (!parsedValue.success) { events.push(skipped(`change.${change.field}`, parsedValue.error)); continue; }
      const value = parsedValue.data;
      // One app may serve several numbers; only this inbox's number counts.
      if (value.metadata.phone_number_id !== c.phoneNumberId) continue;
      const profiles = value.contacts ?? [];
      const profileOf = (phone?: string, userId?: string) => profiles.find((ct) => (phone && ct.wa_id === phone) || (userId && ct.user_id === userId))
        ?? (profiles.length === 1 ? profiles[0] : undefined);
      for (const rawMessage of value.messages ?? []) {
        const parsed = waInboundMessage.safeParse(rawMessage);
        if (!parsed.success) { events.push(skipped(`message.${typeOf(rawMessage)}`, parsed.error)); continue; }
        const m = parsed.data;
        const profile = profileOf(m.from, m.from_user_id);
        const userId = m.from_user_id ?? profile?.user_id;
        const phone = m.from ?? profile?.wa_id;
        const customer = phone ?? userId;
        if (!customer) { events.push({ kind: 'skipped', type: `message.${m.type}`.slice(0, 60), reason: 'the message names no sender (from or from_user_id)' }); continue; }
        const at = Number(m.timestamp) * 1000;
        const update = messageUpdate(m, customer, at);
        if (update) { events.push(update); continue; }
        const content = messageContent(m);
        if (!content) { events.push({ kind: 'skipped', type: `message.${m.type}`.slice(0, 60), reason: m.errors?.[0]?.title ?? `a ${m.type} message without its content` }); continue; }
        const meta = { ...content.meta, ...(m.referral ? { referral: waOrigin(m.referral) } : {}) };
        events.push({
          kind: 'message',
          externalId: m.id,
          threadKey: customer,
          sender: {
            externalId: customer,
            ...(phone ? { phone: `+${phone}` } : {}),
            ...(profile?.profile?.name ? { name: profile.profile.name } : {}),
            ...(userId && userId !== customer ? { aliases: [userId] } : {}),
          },
          text: m.referral ? `${content.text}\n${describeWaReferral(m.referral)}` : content.text,
          attachments: content.attachments ?? [],
          sentAt: at,
          ...(m.context?.id ? { inReplyTo: [m.context.id] } : {}),
          ...(Object.keys(meta).length ? { meta } : {}),
          // A system notice (number changed) joins the customer's thread but never opens one.
          ...(m.type === 'system' ? { automated: true } : {}),
        });
      }
      for (const rawStatus of value.statuses ?? []) {
        const parsed = waStatus.safeParse(rawStatus);
        if (!parsed.success) { events.push(skipped('status', parsed.error)); continue; }
        const s = parsed.data;
        if (!STATUSES.has(s.status)) continue;
        const e = s.errors?.[0];
        const ev: InboundStatusEvent = { kind: 'status', externalId: s.id, status: s.status as InboundStatusEvent['status'], at: Number(s.timestamp) * 1000 };
        if (e) ev.error = `${e.title}${e.error_data?.details && e.error_data.details !== e.title ? `: ${e.error_data.details}` : ''} (code ${e.code})`;
        else if (s.status === 'failed') ev.error = 'WhatsApp reported the message as failed';
        events.push(ev);
      }
      for (const rawEcho of value.message_echoes ?? []) {
        const parsed = waEcho.safeParse(rawEcho);
        if (!parsed.success) { events.push(skipped('echo', parsed.error)); continue; }
        const m = parsed.data;
        if (!m.text?.body) continue;
        events.push({ kind: 'echo', externalId: m.id, threadKey: m.to, sender: { externalId: m.to, phone: `+${m.to}` }, text: m.text.body, attachments: [], sentAt: Number(m.timestamp) * 1000 });
      }
    }
  }
  return events;
}

const typeOf = (m: unknown) => (m && typeof m === 'object' && typeof (m as { type?: unknown }).type === 'string' ? (m as { type: string }).type : 'invalid');

/** Reactions, edits and revokes change an earlier message instead of adding one. */
function messageUpdate(m: WaInboundMessage, customer: string, at: number): InboundEvent | null {
  if (m.type === 'reaction' && m.reaction) return { kind: 'reaction', externalId: m.reaction.message_id, by: customer, emoji: m.reaction.emoji || null, at };
  if (m.type === 'revoke' && m.revoke) return { kind: 'delete', externalId: m.revoke.original_message_id, at };
  if (m.type === 'edit' && m.edit) {
    const inner = m.edit.message as Record<string, unknown> | undefined;
    const type = typeof inner?.type === 'string' ? inner.type : 'text';
    // A media message's text is its caption (the file is its attachment): an edit changes the caption.
    const caption = (inner?.[type] as { caption?: string } | undefined)?.caption;
    const text = (inner?.text as { body?: string } | undefined)?.body ?? caption;
    return text === undefined ? null : { kind: 'edit', externalId: m.edit.original_message_id, text, at };
  }
  return null;
}

/** Text for a stored message; media arrive as ids, downloaded after the webhook (fetchMedia). */
function messageContent(m: WaInboundMessage): { text: string; meta?: Record<string, unknown>; attachments?: InboundAttachment[] } | null {
  switch (m.type) {
    case 'text': return m.text ? { text: m.text.body } : null;
    case 'button': return m.button ? { text: m.button.text, meta: { buttonPayload: m.button.payload } } : null;
    case 'interactive': {
      if (m.interactive?.nfm_reply) return flowReplyText(m.interactive.nfm_reply);
      const r = m.interactive?.button_reply ?? m.interactive?.list_reply;
      return r ? { text: r.title, meta: { replyId: r.id } } : null;
    }
    case 'location': return m.location ? locationText(m.location) : null;
    case 'contacts': return m.contacts?.length ? contactsText(m.contacts) : null;
    case 'order': return m.order ? orderText(m.order) : null;
    case 'system': return m.system?.body ? { text: m.system.body, meta: { system: { type: m.system.type ?? null, waId: m.system.wa_id ?? null } } } : null;
    case 'unsupported': return { text: m.text?.body ?? `[A message type WhatsApp does not pass on to apps${m.errors?.[0]?.title ? `: ${m.errors[0].title}` : ''}]`, meta: { unsupported: true } };
    case 'image': case 'video': case 'audio': case 'voice': case 'document': case 'sticker': {
      const media = m[m.type as 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker'];
      if (!media) return null;
      const kind: MediaKind = m.type === 'sticker' ? 'sticker' : m.type === 'voice' ? 'voice' : m.type === 'audio' ? (media.voice ? 'voice' : 'audio') : m.type === 'document' ? 'file' : m.type as MediaKind;
      return {
        text: media.caption ?? '',
        meta: { media: { id: media.id, type: m.type, mimeType: media.mime_type ?? null } },
        attachments: [{ filename: media.filename ?? '', contentType: media.mime_type ?? 'application/octet-stream', size: 0, remote: { mediaId: media.id }, kind }],
      };
    }
    default: return null; // reactions, system notices, unsupported types
  }
}

const WA_TYPE: Record<string, 'image' | 'video' | 'audio' | 'document' | 'sticker'> = { image: 'image', video: 'video', audio: 'audio', voice: 'audio', sticker: 'sticker' };

/** One file: uploaded (POST /{phone-number-id}/media), then sent by its media id with the caption. */
async function sendWhatsappFile(c: WhatsappConfig, msg: OutboundMessage): Promise<{ externalId: string }> {
  const f = msg.attachments[0];
  // Only JPEG/PNG go as images, and WebP as stickers; anything else is a document (with its name).
  const type = f.contentType === 'image/webp' ? 'sticker' : f.kind === 'image' && !/^image\/(jpeg|png)$/.test(f.contentType) ? 'document' : WA_TYPE[f.kind] ?? 'document';
  const media: Record<string, string> = { id: await uploadMedia(c, f) };
  // Audio and stickers take no caption: the text goes just before them, as a message of its own.
  if (msg.text && (type === 'audio' || type === 'sticker')) await whatsapp.send(c, { ...msg, attachments: [] });
  else if (msg.text) media.caption = msg.text;
  if (type === 'document') media.filename = f.filename;
  return sendMessage(c, msg.recipient.externalId, { type, [type]: media }, msg.replyToExternalId);
}

export const whatsapp: Connector<WhatsappConfig> = {
  kind: 'whatsapp',
  info: { label: 'WhatsApp', badge: 'WA', color: '#128c4a', configTemplate: { phoneNumberId: '', accessToken: '', appSecret: '', verifyToken: '' }, sandbox: true },
  config: whatsappConfig,
  secretFields: ['accessToken', 'appSecret', 'verifyToken'],
  ...metaWebhook,
  parse: (raw, c) => parseWhatsapp(raw, c),
  async send(c, msg) {
    if (msg.template) return sendTemplate(c, msg.recipient.externalId, msg.template, msg.attachments);
    if (msg.attachments.length) return sendWhatsappFile(c, msg);
    return sendMessage(c, msg.recipient.externalId, { type: 'text', text: { body: msg.text } }, msg.replyToExternalId);
  },
  listTemplates,
  async fetchMedia(c, remote, { maxBytes }) {
    const info = waMediaInfo.safeParse(await graphRequest({ baseUrl: c.apiBaseUrl, method: 'GET', path: `/${c.apiVersion}/${encodeURIComponent(String(remote.mediaId))}`, token: c.accessToken }));
    if (!info.success) throw new PermanentError('WhatsApp media lookup answered without a url');
    const got = await fetchFile(info.data.url, { headers: { authorization: `Bearer ${c.accessToken}` }, maxBytes, what: 'WhatsApp media' });
    return { ...got, contentType: info.data.mime_type ?? got.contentType };
  },
  limits: { replyWindowHours: 24, templatesOutsideWindow: true, maxTextLength: WHATSAPP_MAX_TEXT, attachments: true, media: WHATSAPP_MEDIA },
};
