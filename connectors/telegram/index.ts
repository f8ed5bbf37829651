// Telegram bots. In: either polling getUpdates from an offset cursor (last update_id + 1; the
// offset also confirms the updates to Telegram) or the webhook, checked with the
// X-Telegram-Bot-Api-Secret-Token header (Telegram does not sign bodies; it echoes the
// secret_token given to setWebhook). Out: sendMessage, quoting the customer's latest message.
// Message ids are unique per chat only, so external ids are "<chat id>:<message id>".
import { z } from 'zod';
import { fetchFile } from '../media-fetch.js';
import { FileTooLargeError, MB, PermanentError, RetryableError, skipped, type Connector, type InboundAttachment, type InboundEvent, type MediaKind } from '../types.js';
import { ALLOWED_UPDATES, tgCallbackQuery, tgFileInfo, tgMessage, tgMessageReaction, tgResponse, tgUpdate, type GetUpdatesBody, type SendMessageBody, type TgFile, type TgMessage } from './wire.js';
import { constantTimeEqual } from '../signing.js';
import { fetchErrorMessage, guardedFetch, PrivateNetworkError, readBounded } from '../net-guard.js';

export const telegramConfig = z.object({
  botToken: z.string().regex(/^\d+:[\w-]{20,}$/, 'must look like 123456:ABC-DEF… (from @BotFather)'),
  mode: z.enum(['webhook', 'polling']),
  /** Given to setWebhook as secret_token; Telegram sends it back on every webhook call. */
  secretToken: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z, a-z, 0-9, _ and -').optional(),
  /** Root of the Bot API (tests and the sandbox: the fake on loopback). Default https://api.telegram.org. */
  apiBaseUrl: z.string().url().optional(),
  pollSeconds: z.number().int().min(1).max(3600).optional(),
  /** Long polling: getUpdates is held open up to this long until a message arrives (default 25; 0 = short polls every pollSeconds). */
  longPollSeconds: z.number().int().min(0).max(50).optional(),
}).strict().superRefine((c, ctx) => {
  if (c.mode === 'webhook' && !c.secretToken) {
    ctx.addIssue({ code: 'custom', path: ['secretToken'], message: 'is required in webhook mode (it authenticates every webhook call)' });
  }
});
export type TelegramConfig = z.infer<typeof telegramConfig>;

const TIMEOUT_MS = 15_000;
/** getUpdates returns at most 100 updates: far below this. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
// Bot API: photos up to 10 MB, other files up to 50 MB; captions up to 1024 characters.
export const TELEGRAM_MEDIA = {
  inboundMaxBytes: 20 * MB,
  outbound: {
    maxFiles: 10, filesPerMessage: 1, captions: true, maxCaptionLength: 1024,
    types: [{ type: 'image/jpeg', maxBytes: 10 * MB }, { type: 'image/png', maxBytes: 10 * MB }, { type: 'image/webp', maxBytes: 10 * MB }, { type: '*', maxBytes: 50 * MB }],
  },
};

/** getUpdates returns at most 100 updates: a full page means more are waiting. */
const PAGE = 100;
const DEFAULT_LONG_POLL_SECONDS = 25;

/** Calls one Bot API method (JSON, or multipart for a file); failures are classified Retryable (429, 5xx, network) or Permanent. */
export async function callTelegram<T>(c: Pick<TelegramConfig, 'botToken' | 'apiBaseUrl'>, method: string, body: object | FormData, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const base = (c.apiBaseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
  let res: Response;
  try {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? (body instanceof FormData ? TIMEOUT_MS * 8 : TIMEOUT_MS));
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    res = await guardedFetch(`${base}/bot${c.botToken}/${method}`, body instanceof FormData
      ? { method: 'POST', body, signal }
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  } catch (err) {
    const why = fetchErrorMessage(err);
    if ((err as { cause?: unknown }).cause instanceof PrivateNetworkError || err instanceof PrivateNetworkError) throw new PermanentError(`Telegram ${method} was not called: ${why}`);
    throw new RetryableError(`Telegram ${method} could not be reached: ${why}`);
  }
  const text = await readBounded(res, MAX_RESPONSE_BYTES);
  let parsed;
  try { parsed = tgResponse.parse(JSON.parse(text)); } catch {
    const msg = `Telegram ${method} answered ${res.status} with an unreadable body`;
    throw res.status === 429 || res.status >= 500 ? new RetryableError(msg) : new PermanentError(msg);
  }
  if (parsed.ok && res.ok) return parsed.result as T;
  const code = parsed.error_code ?? res.status;
  const what = `Telegram ${method} failed (${code}): ${parsed.description?.slice(0, 200) ?? 'no description'}`;
  if (code === 429) {
    const after = parsed.parameters?.retry_after;
    throw new RetryableError(what, after != null ? after * 1000 : undefined);
  }
  if (code >= 500) throw new RetryableError(what);
  if (code === 409 && method === 'getUpdates') throw new PermanentError(`${what}. A webhook is set for this bot: switch the inbox to webhook mode, or call deleteWebhook`);
  throw new PermanentError(what);
}

/** Registers Parley's webhook URL with the bot (setWebhook with the inbox's secret token). */
export async function setTelegramWebhook(c: TelegramConfig, url: string): Promise<void> {
  if (!c.secretToken) throw new PermanentError('Set secretToken on the inbox before registering the webhook');
  await callTelegram(c, 'setWebhook', { url, secret_token: c.secretToken, allowed_updates: ALLOWED_UPDATES });
}

const name = (u: { first_name?: string; last_name?: string }) => [u.first_name, u.last_name].filter(Boolean).join(' ') || undefined;

function describeNonText(m: TgMessage): string {
  for (const k of ['photo', 'sticker', 'document', 'voice', 'video', 'audio', 'location', 'contact', 'animation', 'video_note', 'poll']) {
    if (k in m) return `[${k.replace('_', ' ')}]`;
  }
  return '[unsupported message]';
}

/** The Bot API hands files to bots up to this size; larger ones cannot be downloaded at all. */
export const TELEGRAM_DOWNLOAD_LIMIT = 20 * 1048576;

const FILE_FIELDS: [keyof TgMessage & string, MediaKind, string][] = [
  ['animation', 'video', 'animation.mp4'], ['video', 'video', 'video.mp4'], ['video_note', 'video', 'video_note.mp4'], ['voice', 'voice', 'voice.ogg'],
  ['audio', 'audio', 'audio.mp3'], ['sticker', 'sticker', 'sticker.webp'], ['document', 'file', ''],
];

/** The file of a message: the largest photo size, or its one document/video/voice/audio/animation/video note/sticker. */
function mediaOf(m: TgMessage): InboundAttachment[] {
  const pick = (f: TgFile, kind: MediaKind, name: string, type = 'application/octet-stream'): InboundAttachment[] => {
    const size = f.file_size ?? 0;
    const filename = f.file_name ?? name;
    if (size > TELEGRAM_DOWNLOAD_LIMIT) {
      return [{ filename, contentType: f.mime_type ?? type, size, kind, refused: `the file is ${(size / 1048576).toFixed(1)} MB; Telegram lets bots download files up to 20 MB, so open it in Telegram` }];
    }
    return [{ filename, contentType: f.mime_type ?? type, size, kind, remote: { fileId: f.file_id } }];
  };
  if (m.photo?.length) {
    const largest = m.photo.reduce((a, b) => ((b.file_size ?? 0) >= (a.file_size ?? 0) ? b : a));
    return pick(largest, 'image', 'photo.jpg', 'image/jpeg');
  }
  // A GIF comes as both animation and document: the animation wins (first in the list).
  for (const [field, kind, name] of FILE_FIELDS) {
    const f = m[field] as TgFile | undefined;
    if (f?.file_id) return pick(f, kind, name);
  }
  return [];
}

const mapLink = (lat: number, long: number) => `https://www.google.com/maps/search/?api=1&query=${lat},${long}`;

/** What an agent reads for a message: text, caption, or a line for locations, contacts, Web App data. */
function messageContent(m: TgMessage): { text: string; meta?: Record<string, unknown> } {
  if (m.web_app_data) {
    return { text: m.web_app_data.button_text ? `${m.web_app_data.button_text}: ${m.web_app_data.data}` : m.web_app_data.data, meta: { webAppData: { data: m.web_app_data.data, buttonText: m.web_app_data.button_text ?? null } } };
  }
  if (m.venue || m.location) {
    const l = m.venue?.location ?? m.location!;
    const place = [m.venue?.title, m.venue?.address].filter(Boolean).join(', ');
    return { text: `📍 ${place ? `${place}: ` : 'Location: '}${l.latitude}, ${l.longitude} ${mapLink(l.latitude, l.longitude)}`, meta: { location: { latitude: l.latitude, longitude: l.longitude, ...(place ? { name: place } : {}) } } };
  }
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return { text: `👤 ${name ? `${name} ` : ''}${m.contact.phone_number}`, meta: { contacts: [{ name, phones: [m.contact.phone_number] }] } };
  }
  return { text: m.text ?? m.caption ?? m.sticker?.emoji ?? (mediaOf(m).length ? '' : describeNonText(m)) };
}

/** The visible title of the inline button whose callback_data was pressed. */
function buttonTitle(m: TgMessage | undefined, data: string | undefined): string | undefined {
  for (const row of m?.reply_markup?.inline_keyboard ?? []) for (const b of row) if (b.callback_data === data) return b.text;
  return undefined;
}

const sender = (u: { id: number; first_name?: string; last_name?: string; username?: string }) => ({ externalId: String(u.id), name: name(u), handle: u.username });

/**
 * One update -> events, each kind read on its own (an unreadable one is a `skipped` event):
 * a customer's message, its edit, a pressed inline button (a customer message with the
 * button's title; answered in afterIngest), or a reaction. Bots' own messages are ignored.
 */
export function fromUpdate(u: z.infer<typeof tgUpdate>): InboundEvent[] {
  const kind = Object.keys(u).find((k) => k !== 'update_id');
  if (!kind) return [];
  try {
    if (u.message !== undefined) {
      const m = tgMessage.parse(u.message);
      if (!m.from || m.from.is_bot) return [];
      const c = messageContent(m);
      const meta = { ...c.meta, ...(m.chat.type !== 'private' ? { chatType: m.chat.type, chatTitle: m.chat.title } : {}) };
      return [{
        kind: 'message',
        externalId: `${m.chat.id}:${m.message_id}`,
        threadKey: String(m.chat.id),
        sender: sender(m.from),
        text: c.text,
        attachments: mediaOf(m),
        sentAt: m.date * 1000,
        ...(Object.keys(meta).length ? { meta } : {}),
      }];
    }
    if (u.edited_message !== undefined) {
      const m = tgMessage.parse(u.edited_message);
      if (!m.from || m.from.is_bot) return [];
      return [{ kind: 'edit', externalId: `${m.chat.id}:${m.message_id}`, text: messageContent(m).text, at: (m.edit_date ?? m.date) * 1000 }];
    }
    if (u.callback_query !== undefined) {
      const q = tgCallbackQuery.parse(u.callback_query);
      if (q.from.is_bot) return [];
      const title = buttonTitle(q.message, q.data) ?? q.data ?? q.game_short_name ?? 'Pressed a button';
      return [{
        kind: 'message',
        externalId: `callback:${q.id}`,
        threadKey: String(q.message?.chat.id ?? q.from.id),
        sender: sender(q.from),
        text: title,
        attachments: [],
        sentAt: 0,
        ...(q.message ? { inReplyTo: [`${q.message.chat.id}:${q.message.message_id}`] } : {}),
        meta: { callbackQuery: { id: q.id, data: q.data ?? null } },
      }];
    }
    if (u.message_reaction !== undefined) {
      const r = tgMessageReaction.parse(u.message_reaction);
      if (!r.user || r.user.is_bot) return [];
      const now = r.new_reaction[0];
      return [{ kind: 'reaction', externalId: `${r.chat.id}:${r.message_id}`, by: String(r.user.id), emoji: now ? now.emoji ?? '⭐' : null, at: r.date * 1000 }];
    }
  } catch (err) {
    return [skipped(`update.${kind}`, err)];
  }
  return [{ kind: 'skipped', type: `update.${kind}`.slice(0, 60), reason: 'an update kind Parley does not use' }];
}

const readUpdates = (raw: unknown): InboundEvent[] => {
  const u = tgUpdate.safeParse(raw);
  return u.success ? fromUpdate(u.data) : [skipped('update', u.error)];
};

/** Pressed buttons stop spinning in the customer's app only once answered. */
async function answerCallbacks(c: TelegramConfig, events: InboundEvent[]) {
  for (const e of events) {
    const q = e.kind === 'message' ? (e.meta?.callbackQuery as { id?: string } | undefined) : undefined;
    if (q?.id) await callTelegram(c, 'answerCallbackQuery', { callback_query_id: q.id });
  }
}

export const telegram: Connector<TelegramConfig> = {
  kind: 'telegram',
  info: { label: 'Telegram bot', badge: 'TG', color: '#229ed9', configTemplate: { botToken: '', mode: 'webhook' }, sandbox: true },
  config: telegramConfig,
  secretFields: ['botToken', 'secretToken'],

  async verify(req, _raw, c) {
    // Without a secret token nothing authenticates a webhook call: refuse them all.
    if (!c.secretToken) return false;
    const got = req.headers.get('x-telegram-bot-api-secret-token');
    return got !== null && constantTimeEqual(got, c.secretToken);
  },

  parse: (raw) => readUpdates(JSON.parse(new TextDecoder().decode(raw))),

  afterIngest: (c, events) => answerCallbacks(c, events),

  async poll(c, cursor, signal, opts) {
    // Held (long polling) only once caught up: a backlog is read with immediate answers.
    const hold = opts?.holdSeconds ?? 0;
    const body: GetUpdatesBody = { limit: PAGE, timeout: hold, allowed_updates: ALLOWED_UPDATES };
    if (cursor) body.offset = Number(cursor);
    const updates = z.array(z.object({ update_id: z.number() }).passthrough()).parse(await callTelegram<unknown>(c, 'getUpdates', body, { timeoutMs: hold * 1000 + TIMEOUT_MS, signal }));
    const events = updates.flatMap(readUpdates);
    const last = updates.reduce((max, u) => Math.max(max, u.update_id), -1);
    return { events, cursor: last >= 0 ? String(last + 1) : cursor, ...(updates.length >= PAGE ? { more: true } : {}) };
  },

  longPollSeconds: (c) => (c.mode === 'polling' && c.longPollSeconds !== 0 ? c.longPollSeconds ?? DEFAULT_LONG_POLL_SECONDS : null),

  async send(c, msg) {
    const body: SendMessageBody = { chat_id: /^-?\d+$/.test(msg.threadKey) ? Number(msg.threadKey) : msg.threadKey, text: msg.text };
    const [chat, messageId] = (msg.replyToExternalId ?? '').split(':');
    if (chat === msg.threadKey && /^\d+$/.test(messageId ?? '')) {
      body.reply_parameters = { message_id: Number(messageId), allow_sending_without_reply: true };
    }
    if (msg.attachments.length) {
      // One file per message: sendPhoto / sendVideo / sendVoice / sendDocument, multipart, the text as its caption.
      const f = msg.attachments[0];
      const [method, field] = f.kind === 'image' && f.contentType !== 'image/gif' ? ['sendPhoto', 'photo'] : f.kind === 'video' && f.contentType === 'video/mp4' ? ['sendVideo', 'video']
        : f.kind !== 'file' && f.contentType === 'audio/ogg' ? ['sendVoice', 'voice'] : ['sendDocument', 'document'];
      const form = new FormData();
      form.append('chat_id', String(body.chat_id));
      if (msg.text) form.append('caption', msg.text);
      if (body.reply_parameters) form.append('reply_parameters', JSON.stringify(body.reply_parameters));
      form.append(field, new Blob([f.data as Uint8Array<ArrayBuffer>], { type: f.contentType }), f.filename);
      const sentFile = await callTelegram<TgMessage>(c, method, form);
      return { externalId: `${sentFile.chat?.id ?? msg.threadKey}:${sentFile.message_id}` };
    }
    const sent = await callTelegram<TgMessage>(c, 'sendMessage', body);
    return { externalId: `${sent.chat?.id ?? msg.threadKey}:${sent.message_id}` };
  },

  async fetchProfile(c, externalId) {
    const chat = await callTelegram<{ first_name?: string; last_name?: string; username?: string }>(c, 'getChat', { chat_id: Number(externalId) });
    return { name: name(chat), handle: chat.username };
  },

  async fetchMedia(c, remote, { maxBytes }) {
    let info;
    try {
      info = tgFileInfo.parse(await callTelegram<unknown>(c, 'getFile', { file_id: String(remote.fileId) }));
    } catch (err) {
      if (err instanceof PermanentError && /too big/i.test(err.message)) throw new FileTooLargeError(TELEGRAM_DOWNLOAD_LIMIT);
      throw err;
    }
    if (!info.file_path) throw new PermanentError('Telegram getFile gave no file_path: the file is no longer available');
    if (info.file_size && info.file_size > maxBytes) throw new FileTooLargeError(maxBytes, info.file_size);
    const base = (c.apiBaseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
    const got = await fetchFile(`${base}/file/bot${c.botToken}/${info.file_path}`, { maxBytes, what: 'Telegram file' });
    return { ...got, filename: got.filename ?? info.file_path.split('/').pop() };
  },

  pollSeconds: (c) => (c.mode === 'polling' ? c.pollSeconds ?? 5 : null),
  limits: { attachments: true, maxTextLength: 4096, media: TELEGRAM_MEDIA },
};
