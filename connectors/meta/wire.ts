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
export type GraphError = z.infer<typeof graphError>;

export const messagingAttachment = z.object({
  type: z.string(),
  payload: z.object({ url: z.string().optional(), title: z.string().optional() }).nullish(),
});

/** One item of entry[].messaging[]: a message, an echo of ours, or delivery/read news. */
export const messagingItem = z.object({
  sender: z.object({ id: z.string() }),
  recipient: z.object({ id: z.string() }),
  timestamp: z.number(),
  message: z.object({
    mid: z.string(),
    text: z.string().optional(),
    attachments: z.array(messagingAttachment).optional(),
    is_echo: z.boolean().optional(),
    app_id: z.number().optional(),
    is_deleted: z.boolean().optional(),
    is_unsupported: z.boolean().optional(),
    reply_to: z.object({ mid: z.string().optional() }).optional(),
    quick_reply: z.object({ payload: z.string() }).optional(),
  }).optional(),
  delivery: z.object({ mids: z.array(z.string()).optional(), watermark: z.number() }).optional(),
  read: z.object({ watermark: z.number(), mid: z.string().optional() }).optional(),
  postback: z.object({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional() }).optional(),
});
export type MessagingItem = z.infer<typeof messagingItem>;

const messagingWebhookOf = (object: 'page' | 'instagram') => z.object({
  object: z.literal(object),
  entry: z.array(z.object({
    id: z.string(),
    time: z.number(),
    messaging: z.array(messagingItem).optional(),
  })),
});
// Built once: zod compiles a schema's fast path on first use, so a schema made per request
// was compiled per request (~7% of a webhook's CPU in the bench profile).
const messagingWebhooks = { page: messagingWebhookOf('page'), instagram: messagingWebhookOf('instagram') };
export const messagingWebhook = (object: 'page' | 'instagram') => messagingWebhooks[object];
export type MessagingWebhook = z.infer<ReturnType<typeof messagingWebhookOf>>;

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
