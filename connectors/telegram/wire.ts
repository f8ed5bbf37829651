// Telegram Bot API wire formats (https://core.telegram.org/bots/api), the parts Parley uses.
import { z } from 'zod';

export const tgUser = z.object({
  id: z.number(),
  // The Bot API docs' own samples and older clients leave is_bot out: absent = a person.
  is_bot: z.boolean().optional(),
  first_name: z.string().default(''),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
}).passthrough();
export type TgUser = z.infer<typeof tgUser>;

export const tgChat = z.object({
  id: z.number(),
  type: z.string().default('private'),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
}).passthrough();

/** What every file object starts with (docs: File); getFile adds file_path. */
const tgFileRef = {
  file_id: z.string(),
  file_unique_id: z.string().optional(),
  file_size: z.number().optional(),
};

/** A file on Telegram's servers (Document, Video, Voice, Audio, Animation, VideoNote, Sticker, PhotoSize). */
export const tgFile = z.object({
  ...tgFileRef,
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
  emoji: z.string().optional(),
}).passthrough();
export type TgFile = z.infer<typeof tgFile>;

export const tgMessage = z.object({
  message_id: z.number(),
  from: tgUser.optional(),
  chat: tgChat,
  date: z.number(),
  text: z.string().optional(),
  caption: z.string().optional(),
  edit_date: z.number().optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).passthrough().optional(),
  venue: z.object({ title: z.string().optional(), address: z.string().optional(), location: z.object({ latitude: z.number(), longitude: z.number() }).optional() }).passthrough().optional(),
  contact: z.object({ phone_number: z.string(), first_name: z.string().optional(), last_name: z.string().optional(), user_id: z.number().optional() }).passthrough().optional(),
  web_app_data: z.object({ data: z.string(), button_text: z.string().optional() }).passthrough().optional(),
  reply_markup: z.object({
    inline_keyboard: z.array(z.array(z.object({ text: z.string(), callback_data: z.string().optional() }).passthrough())).optional(),
  }).passthrough().optional(),
  // Sizes of one photo, smallest first.
  photo: z.array(tgFile).optional(),
  document: tgFile.optional(),
  video: tgFile.optional(),
  voice: tgFile.optional(),
  audio: tgFile.optional(),
  animation: tgFile.optional(),
  video_note: tgFile.optional(),
  sticker: tgFile.optional(),
}).passthrough();
export type TgMessage = z.infer<typeof tgMessage>;

/** An inline keyboard button pressed (docs: CallbackQuery); must be answered (answerCallbackQuery). */
export const tgCallbackQuery = z.object({
  id: z.string(),
  from: tgUser,
  message: tgMessage.optional(),
  inline_message_id: z.string().optional(),
  data: z.string().optional(),
  game_short_name: z.string().optional(),
}).passthrough();

const tgReaction = z.object({ type: z.string(), emoji: z.string().optional(), custom_emoji_id: z.string().optional() }).passthrough();
/** MessageReactionUpdated: only delivered when allowed_updates asks for message_reaction. */
export const tgMessageReaction = z.object({
  chat: tgChat,
  message_id: z.number(),
  user: tgUser.optional(),
  date: z.number(),
  old_reaction: z.array(tgReaction).default([]),
  new_reaction: z.array(tgReaction).default([]),
}).passthrough();

/** The update kinds Parley reads, each with its schema: the one list of them. */
const UPDATE_KINDS = {
  message: tgMessage,
  edited_message: tgMessage,
  callback_query: tgCallbackQuery,
  message_reaction: tgMessageReaction,
};
type UpdateKind = keyof typeof UPDATE_KINDS;

/** Read field by field (each kind on its own) so one odd field never loses the update. */
export const tgUpdate = z.object({
  update_id: z.number(),
  ...(Object.fromEntries(Object.keys(UPDATE_KINDS).map((k) => [k, z.unknown().optional()])) as Record<UpdateKind, z.ZodOptional<z.ZodUnknown>>),
}).passthrough();
/** An Update as the Bot API sends it (the kinds Parley reads). */
export type TgUpdate = { update_id: number; [other: string]: unknown } & { [K in UpdateKind]?: z.input<(typeof UPDATE_KINDS)[K]> };

/** Every method answers this envelope; 429 carries parameters.retry_after (seconds). */
export const tgResponse = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional(), migrate_to_chat_id: z.number().optional() }).optional(),
});

export interface SendMessageBody {
  chat_id: number | string;
  text: string;
  reply_parameters?: { message_id: number; allow_sending_without_reply?: boolean };
}
/** The update kinds Parley asks for (setWebhook / getUpdates allowed_updates). */
export const ALLOWED_UPDATES = Object.keys(UPDATE_KINDS);

/** getFile answer: download at /file/bot<token>/<file_path> (bots: up to 20 MB). */
export const tgFileInfo = z.object({ ...tgFileRef, file_path: z.string().optional() });

export interface GetUpdatesBody { offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] }
