// Telegram Bot API wire formats (https://core.telegram.org/bots/api), the parts Parley uses.
import { z } from 'zod';

export const tgUser = z.object({
  id: z.number(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
}).passthrough();
export type TgUser = z.infer<typeof tgUser>;

export const tgChat = z.object({
  id: z.number(),
  type: z.string(),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
}).passthrough();
export type TgChat = z.infer<typeof tgChat>;

export const tgMessage = z.object({
  message_id: z.number(),
  from: tgUser.optional(),
  chat: tgChat,
  date: z.number(),
  text: z.string().optional(),
  caption: z.string().optional(),
}).passthrough();
export type TgMessage = z.infer<typeof tgMessage>;

export const tgUpdate = z.object({
  update_id: z.number(),
  message: tgMessage.optional(),
}).passthrough();
export type TgUpdate = z.infer<typeof tgUpdate>;

/** Every method answers this envelope; 429 carries parameters.retry_after (seconds). */
export const tgResponse = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional(), migrate_to_chat_id: z.number().optional() }).optional(),
});
export type TgResponse = z.infer<typeof tgResponse>;

export interface SendMessageBody {
  chat_id: number | string;
  text: string;
  reply_parameters?: { message_id: number; allow_sending_without_reply?: boolean };
}
export interface GetUpdatesBody { offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] }
