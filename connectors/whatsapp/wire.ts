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

// Media arrive as ids: GET /{version}/{media-id} (Bearer) -> {url, mime_type, sha256, file_size},
// then GET url with the same Bearer token. Voice notes are audio with voice: true.
const media = z.object({
  id: z.string(), mime_type: z.string().optional(), sha256: z.string().optional(), caption: z.string().optional(), filename: z.string().optional(),
  voice: z.boolean().optional(), animated: z.boolean().optional(),
});

/** GET /{version}/{media-id} answer. */
export const waMediaInfo = z.object({
  messaging_product: z.string().optional(), url: z.string().url(), mime_type: z.string().optional(), sha256: z.string().optional(),
  file_size: z.union([z.number(), z.string()]).optional(), id: z.string().optional(),
});

/** Click-to-WhatsApp ads and posts: where the customer came from. */
export const waReferral = z.object({
  source_url: z.string().optional(),
  source_id: z.string().optional(),
  source_type: z.string().optional(),
  headline: z.string().optional(),
  body: z.string().optional(),
  media_type: z.string().optional(),
  ctwa_clid: z.string().optional(),
});

const waContactCard = z.object({
  name: z.object({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).optional(),
  phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() })).optional(),
  emails: z.array(z.object({ email: z.string().optional() })).optional(),
});

/**
 * One customer message. `from` is the phone (wa_id); business-scoped user ids
 * (`from_user_id`, "BSUID") may come with it or instead of it.
 */
export const waInboundMessage = z.object({
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  id: z.string(),
  timestamp: z.union([z.string(), z.number()]).transform(String),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  image: media.optional(),
  video: media.optional(),
  audio: media.optional(),
  document: media.optional(),
  sticker: media.optional(),
  voice: media.optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  interactive: z.object({
    type: z.string(),
    button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
    list_reply: z.object({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    // WhatsApp Flows: the form's answers as a JSON string.
    nfm_reply: z.object({ name: z.string().optional(), body: z.string().optional(), response_json: z.string().optional() }).optional(),
  }).optional(),
  contacts: z.array(waContactCard).optional(),
  order: z.object({
    catalog_id: z.string().optional(),
    text: z.string().optional(),
    product_items: z.array(z.object({ product_retailer_id: z.string(), quantity: z.number(), item_price: z.number().optional(), currency: z.string().optional() })).default([]),
  }).optional(),
  // The edited message as sent (text, or a media object with a caption): kept whole.
  edit: z.object({ original_message_id: z.string(), message: z.object({ type: z.string().optional(), text: z.object({ body: z.string() }).optional() }).passthrough().optional() }).optional(),
  revoke: z.object({ original_message_id: z.string() }).optional(),
  system: z.object({ body: z.string().optional(), type: z.string().optional(), wa_id: z.string().optional() }).optional(),
  referral: waReferral.optional(),
  errors: z.array(z.object({ code: z.number().optional(), title: z.string().optional() })).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional(), url: z.string().optional() }).optional(),
  reaction: z.object({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  context: z.object({ from: z.string().optional(), id: z.string().optional() }).optional(),
});
export type WaInboundMessage = z.infer<typeof waInboundMessage>;

export const waStatus = z.object({
  id: z.string(),
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]).transform(String),
  recipient_id: z.string().optional(),
  errors: z.array(z.object({
    code: z.number(),
    title: z.string().default('Error'),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).optional(),
  })).optional(),
});

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
  metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }),
  contacts: z.array(z.object({ profile: z.object({ name: z.string().optional() }).optional(), wa_id: z.string().optional(), user_id: z.string().optional() })).optional(),
  // Read one by one (waInboundMessage, waStatus, waEcho): a bad item never loses its siblings.
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  message_echoes: z.array(z.unknown()).optional(),
});

export const whatsappWebhook = z.object({
  object: z.string(),
  entry: z.array(z.object({
    id: z.string().optional(),
    changes: z.array(z.object({ field: z.string(), value: z.unknown() })).default([]),
  })).default([]),
});
export type WhatsappWebhook = z.infer<typeof whatsappWebhook>;

/** What every send carries besides its type and content (and an optional context). */
const waSendEnvelope = {
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  to: z.string().min(1),
};
type WaSendEnvelopeKey = keyof typeof waSendEnvelope | 'context';

export const waSendText = z.object({
  ...waSendEnvelope,
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

const waMediaRef = z.object({ link: z.string().url().optional(), id: z.string().optional(), filename: z.string().optional() });
/** One template parameter: text (header/body/URL suffix), payload (quick reply) or header media by link or id. */
export const waTemplateParameter = z.object({
  type: z.enum(['text', 'payload', 'image', 'document', 'video', 'currency', 'date_time', 'location', 'coupon_code', 'action']),
  text: z.string().min(1).optional(),
  payload: z.string().min(1).optional(),
  image: waMediaRef.optional(),
  document: waMediaRef.optional(),
  video: waMediaRef.optional(),
});
export const waTemplateComponent = z.object({
  type: z.enum(['header', 'body', 'button']),
  sub_type: z.string().optional(),
  index: z.union([z.string(), z.number()]).optional(),
  parameters: z.array(waTemplateParameter),
});
export type WaTemplateComponent = z.infer<typeof waTemplateComponent>;

/** Send a template: {type:"template", template:{name, language:{code}, components:[{type:"header"|"body", parameters}, {type:"button", sub_type, index, parameters}]}}. */
export const waSendTemplate = z.object({
  ...waSendEnvelope,
  type: z.literal('template'),
  template: z.object({
    name: z.string().min(1),
    language: z.object({ code: z.string().min(1) }),
    components: z.array(waTemplateComponent).optional(),
  }),
});
export type WaSendTemplate = z.infer<typeof waSendTemplate>;

/** A file by its uploaded media id: {type:"image"|…, <type>: {id, caption?, filename?}}. */
export type WaSendMedia = { type: 'image' | 'video' | 'audio' | 'document' | 'sticker' } & { [type: string]: unknown };
/** A send without its envelope: what sendMessage (send-message.ts) wraps. */
export type WaSendContent = Omit<WaSendText, WaSendEnvelopeKey> | Omit<WaSendTemplate, WaSendEnvelopeKey> | WaSendMedia;

/** GET /{version}/{WABA_ID}/message_templates -> {data:[{name, language, status, category, components}], paging?}. */
export const waTemplateList = z.object({
  data: z.array(z.object({
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string().optional(),
    id: z.string().optional(),
    components: z.array(z.object({
      type: z.string(), text: z.string().optional(), format: z.string().optional(),
      buttons: z.array(z.object({ type: z.string(), text: z.string().default(''), url: z.string().optional(), phone_number: z.string().optional() })).optional(),
    })).default([]),
  })),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
