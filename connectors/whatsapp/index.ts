// WhatsApp Cloud API: one business phone number. Meta's webhook checks (hub.challenge,
// X-Hub-Signature-256 over the raw bytes); customers' messages with the profile name from
// contacts[]; statuses[] move our replies to delivered/read/failed; replies are text
// messages through the Cloud API, quoting the customer's message they answer, within the
// 24-hour customer service window (outside it WhatsApp requires a template).
import { z } from 'zod';
import { graphRequest } from '../meta/graph.js';
import { hubHandshake, verifyHubSignature } from '../meta/signature.js';
import { DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION } from '../meta/wire.js';
import { PermanentError, type Connector, type InboundEvent, type InboundStatusEvent } from '../types.js';
import { WHATSAPP_MAX_TEXT, waSendResponse, waValue, whatsappWebhook, type WaInboundMessage, type WaSendText } from './wire.js';

export const whatsappConfig = z.object({
  phoneNumberId: z.string().min(1),
  accessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  apiBaseUrl: z.string().url().default(DEFAULT_GRAPH_URL),
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'apiVersion looks like v25.0').default(DEFAULT_GRAPH_VERSION),
});
export type WhatsappConfig = z.infer<typeof whatsappConfig>;

const dec = new TextDecoder();
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

export function parseWhatsapp(raw: Uint8Array, c: Pick<WhatsappConfig, 'phoneNumberId'>): InboundEvent[] {
  const body = whatsappWebhook.parse(JSON.parse(dec.decode(raw)));
  const events: InboundEvent[] = [];
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages' && change.field !== 'smb_message_echoes') continue;
      const value = waValue.parse(change.value);
      // One app may serve several numbers; only this inbox's number counts.
      if (value.metadata.phone_number_id !== c.phoneNumberId) continue;
      const names = new Map((value.contacts ?? []).map((ct) => [ct.wa_id, ct.profile?.name]));
      for (const m of value.messages ?? []) {
        const content = messageContent(m);
        if (!content) continue;
        events.push({
          kind: 'message',
          externalId: m.id,
          threadKey: m.from,
          sender: { externalId: m.from, phone: `+${m.from}`, ...(names.get(m.from) ? { name: names.get(m.from) } : {}) },
          text: content.text,
          attachments: [],
          sentAt: Number(m.timestamp) * 1000,
          ...(m.context?.id ? { inReplyTo: [m.context.id] } : {}),
          ...(content.meta ? { meta: content.meta } : {}),
        });
      }
      for (const s of value.statuses ?? []) {
        if (!STATUSES.has(s.status)) continue;
        const e = s.errors?.[0];
        const ev: InboundStatusEvent = { kind: 'status', externalId: s.id, status: s.status as InboundStatusEvent['status'], at: Number(s.timestamp) * 1000 };
        if (e) ev.error = `${e.title}${e.error_data?.details && e.error_data.details !== e.title ? `: ${e.error_data.details}` : ''} (code ${e.code})`;
        else if (s.status === 'failed') ev.error = 'WhatsApp reported the message as failed';
        events.push(ev);
      }
      for (const m of value.message_echoes ?? []) {
        if (!m.text?.body) continue;
        events.push({ kind: 'echo', externalId: m.id, threadKey: m.to, sender: { externalId: m.to, phone: `+${m.to}` }, text: m.text.body, attachments: [], sentAt: Number(m.timestamp) * 1000 });
      }
    }
  }
  return events;
}

/** Text for a stored message; media arrive as ids (download needs the token), kept in meta. */
function messageContent(m: WaInboundMessage): { text: string; meta?: Record<string, unknown> } | null {
  switch (m.type) {
    case 'text': return m.text ? { text: m.text.body } : null;
    case 'button': return m.button ? { text: m.button.text, meta: { buttonPayload: m.button.payload } } : null;
    case 'interactive': {
      const r = m.interactive?.button_reply ?? m.interactive?.list_reply;
      return r ? { text: r.title, meta: { replyId: r.id } } : null;
    }
    case 'location': {
      const l = m.location!;
      return { text: [l.name, l.address, `(${l.latitude}, ${l.longitude})`].filter(Boolean).join(' ') };
    }
    case 'image': case 'video': case 'audio': case 'document': case 'sticker': {
      const media = m[m.type]!;
      if (!media) return null;
      const label = media.filename ? `[${m.type}: ${media.filename}]` : `[${m.type}]`;
      return { text: media.caption ? `${label} ${media.caption}` : label, meta: { media: { id: media.id, type: m.type, mimeType: media.mime_type ?? null } } };
    }
    default: return null; // reactions, system notices, unsupported types
  }
}

export const whatsapp: Connector<WhatsappConfig> = {
  kind: 'whatsapp',
  config: whatsappConfig,
  secretFields: ['accessToken', 'appSecret', 'verifyToken'],
  handshake: (req, c) => hubHandshake(req, c.verifyToken),
  verify: (req, raw, c) => verifyHubSignature(req, raw, c.appSecret),
  parse: (raw, c) => parseWhatsapp(raw, c),
  async send(c, msg) {
    if (msg.attachments.length) throw new PermanentError('WhatsApp attachments are not sent from Parley yet');
    const body: WaSendText = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: msg.recipient.externalId,
      type: 'text',
      text: { body: msg.text },
      ...(msg.replyToExternalId ? { context: { message_id: msg.replyToExternalId } } : {}),
    };
    const data = await graphRequest({ baseUrl: c.apiBaseUrl, path: `/${c.apiVersion}/${c.phoneNumberId}/messages`, token: c.accessToken, body });
    const parsed = waSendResponse.safeParse(data);
    if (!parsed.success) throw new PermanentError('The Cloud API answered without a message id');
    return { externalId: parsed.data.messages[0].id };
  },
  limits: { replyWindowHours: 24, maxTextLength: WHATSAPP_MAX_TEXT, attachments: false },
};
