// Graph API wire types shared by Messenger, Instagram and WhatsApp (as Meta's docs define
// them): the error envelope, and the Messenger Platform `messaging[]` webhook that Pages and
// Instagram accounts both use.
import { z } from 'zod';

export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v25.0';

/** {"error":{"message","type","code","error_subcode","error_user_title","error_user_msg","fbtrace_id"}} */
export const graphError = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    is_transient: z.boolean().optional(),
    error_data: z.object({ messaging_product: z.string().optional(), details: z.string().optional() }).optional(),
    fbtrace_id: z.string().optional(),
  }),
});

// Ids arrive as strings on the wire; peers' fixtures sometimes carry numbers. Times are
// epoch ms numbers on the wire (some tools send ISO strings or seconds): all accepted.
const id = z.union([z.string(), z.number()]).transform(String);
const time = z.union([z.number(), z.string()]).optional();

export const messagingAttachment = z.object({
  type: z.string(),
  title: z.string().nullish().transform((v) => v ?? undefined),
  url: z.string().nullish().transform((v) => v ?? undefined),
  payload: z.object({
    url: z.string().nullish().transform((v) => v ?? undefined),
    title: z.string().nullish().transform((v) => v ?? undefined),
    sticker_id: z.union([z.number(), z.string()]).optional(),
    coordinates: z.object({ lat: z.number(), long: z.number() }).optional(),
    reel_video_id: z.union([z.number(), z.string()]).optional(),
    template_type: z.string().optional(),
    elements: z.array(z.object({ title: z.string().optional(), subtitle: z.string().optional(), item_url: z.string().optional() })).optional(),
  }).nullish(),
});
export type MessagingAttachment = z.infer<typeof messagingAttachment>;

/** Where a customer came from: an ad, an m.me link (SHORTLINK), the chat plugin (docs: "referral"). */
export const messagingReferral = z.object({
  ref: z.string().optional(),
  source: z.string().optional(),
  type: z.string().optional(),
  ad_id: z.union([z.string(), z.number()]).optional(),
  referer_uri: z.string().optional(),
  ads_context_data: z.object({ ad_title: z.string().optional(), photo_url: z.string().optional(), video_url: z.string().optional(), post_id: z.string().optional() }).optional(),
});
export type MessagingReferral = z.infer<typeof messagingReferral>;

/**
 * One item of entry[].messaging[] (or standby[]): a message, an echo of ours, a postback,
 * a reaction, a referral, delivery/read news, or a platform notice. Meta documents sender
 * as absent on some notices (policy enforcement) and watermark as absent on Instagram reads.
 */
export const messagingItem = z.object({
  sender: z.object({ id }).optional(),
  recipient: z.object({ id }).optional(),
  timestamp: time,
  message: z.object({
    mid: z.string(),
    text: z.string().optional(),
    attachments: z.array(messagingAttachment).optional(),
    is_echo: z.boolean().optional(),
    app_id: z.number().optional(),
    is_deleted: z.boolean().optional(),
    is_unsupported: z.boolean().optional(),
    reply_to: z.object({ mid: z.string().optional(), story: z.object({ id: z.string().optional(), url: z.string().optional() }).optional() }).optional(),
    quick_reply: z.object({ payload: z.string() }).optional(),
    referral: messagingReferral.optional(),
  }).optional(),
  delivery: z.object({ mids: z.array(z.string()).optional(), watermark: time }).optional(),
  read: z.object({ watermark: time, mid: z.string().optional() }).optional(),
  postback: z.object({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional(), referral: messagingReferral.optional() }).optional(),
  reaction: z.object({ mid: z.string(), action: z.string().optional(), emoji: z.string().optional(), reaction: z.string().optional() }).optional(),
  referral: messagingReferral.optional(),
  optin: z.object({ type: z.string().optional(), title: z.string().optional(), ref: z.string().optional(), payload: z.string().optional() }).optional(),
  'policy-enforcement': z.object({ action: z.string().optional(), reason: z.string().optional() }).optional(),
});
export type MessagingItem = z.infer<typeof messagingItem>;

/** The envelope only: each item is read on its own, so one bad item never loses the others. */
const messagingEnvelope = z.object({
  object: z.string().optional(),
  entry: z.array(z.object({
    id: id.optional(),
    time,
    messaging: z.array(z.unknown()).optional(),
    // Handover protocol: messages while another app holds the thread.
    standby: z.array(z.unknown()).optional(),
    // The dashboard's "Test" button and some subscriptions use changes[] with field "messages".
    changes: z.array(z.object({ field: z.string().optional(), value: z.unknown() })).optional(),
  })).default([]),
});
export const messagingWebhook = (_object?: 'page' | 'instagram') => messagingEnvelope;
export type MessagingWebhook = z.infer<typeof messagingEnvelope>;
/** The wire shape of an item, for fakes that build webhooks. */
export type MessagingItemInput = z.input<typeof messagingItem>;

/**
 * A User Profile API lookup, GET /{version}/{user-id}?fields=…: the fields a platform reads are
 * the ones it asks for, and the answer is {id, …those fields}.
 */
export function userProfile<F extends z.ZodRawShape>(fields: F) {
  return { fields: Object.keys(fields), schema: z.object({ id: z.string(), ...fields }) };
}

/** Send API request body (text only: Parley sends no attachments on these channels yet). */
export const sendRequest = z.object({
  messaging_type: z.enum(['RESPONSE', 'UPDATE', 'MESSAGE_TAG']),
  recipient: z.object({ id: z.string() }),
  message: z.object({ text: z.string() }),
  tag: z.string().optional(),
});
export type SendRequest = z.infer<typeof sendRequest>;

/** Send API success: {recipient_id, message_id}. */
export const sendResponse = z.object({ recipient_id: z.string().optional(), message_id: z.string() });
