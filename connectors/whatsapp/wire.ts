// WhatsApp Cloud API wire format (Meta docs: "messages webhook reference", "Send messages").
// Webhook: {object:"whatsapp_business_account", entry:[{id: WABA_ID, changes:[{field:"messages",
//   value:{messaging_product:"whatsapp", metadata:{display_phone_number, phone_number_id},
//   contacts?:[{profile:{name}, wa_id}], messages?:[{from, id:"wamid…", timestamp:"<unix s>",
//   type:"text", text:{body}, context?:{from, id}}], statuses?:[{id, status:"sent"|"delivered"|
//   "read"|"failed", timestamp, recipient_id, errors?:[{code, title, message, error_data:{details}}]}]}}]}]}
// Coexistence numbers (also on the WhatsApp Business app) add field "smb_message_echoes" with
// value.message_echoes:[{from: business number, to: customer, id, timestamp, type, text}].
// Send: POST /{version}/{PHONE_NUMBER_ID}/messages, Bearer token, {messaging_product:"whatsapp",
//   recipient_type:"individual", to, type:"text", text:{body}, context?:{message_id}}
//   -> {messaging_product, contacts:[{input, wa_id}], messages:[{id}]}. Text body ≤ 4096 chars.
import { z } from 'zod';

const media = z.object({ id: z.string(), mime_type: z.string().optional(), sha256: z.string().optional(), caption: z.string().optional(), filename: z.string().optional() });

export const waInboundMessage = z.object({
  from: z.string(),
  id: z.string(),
  timestamp: z.string(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  image: media.optional(),
  video: media.optional(),
  audio: media.optional(),
  document: media.optional(),
  sticker: media.optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  interactive: z.object({
    type: z.string(),
    button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
    list_reply: z.object({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
  }).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
  reaction: z.object({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  context: z.object({ from: z.string().optional(), id: z.string().optional() }).optional(),
});
export type WaInboundMessage = z.infer<typeof waInboundMessage>;

export const waStatus = z.object({
  id: z.string(),
  status: z.string(),
  timestamp: z.string(),
  recipient_id: z.string().optional(),
  errors: z.array(z.object({
    code: z.number(),
    title: z.string(),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).optional(),
  })).optional(),
});
export type WaStatus = z.infer<typeof waStatus>;

export const waEcho = z.object({
  from: z.string(),
  to: z.string(),
  id: z.string(),
  timestamp: z.string(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
});

export const waValue = z.object({
  messaging_product: z.literal('whatsapp').optional(),
  metadata: z.object({ display_phone_number: z.string(), phone_number_id: z.string() }),
  contacts: z.array(z.object({ profile: z.object({ name: z.string() }).optional(), wa_id: z.string() })).optional(),
  messages: z.array(waInboundMessage).optional(),
  statuses: z.array(waStatus).optional(),
  message_echoes: z.array(waEcho).optional(),
});
export type WaValue = z.infer<typeof waValue>;

export const whatsappWebhook = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.object({
    id: z.string(),
    changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
  })),
});
export type WhatsappWebhook = z.infer<typeof whatsappWebhook>;

export const waSendText = z.object({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  to: z.string().min(1),
  type: z.literal('text'),
  text: z.object({ body: z.string().min(1), preview_url: z.boolean().optional() }),
  context: z.object({ message_id: z.string() }).optional(),
});
export type WaSendText = z.infer<typeof waSendText>;

export const waSendResponse = z.object({
  messaging_product: z.literal('whatsapp').optional(),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string() })).optional(),
  messages: z.array(z.object({ id: z.string(), message_status: z.string().optional() })).min(1),
});

export const WHATSAPP_MAX_TEXT = 4096;
