// Telegram bots. In: either polling getUpdates from an offset cursor (last update_id + 1; the
// offset also confirms the updates to Telegram) or the webhook, checked with the
// X-Telegram-Bot-Api-Secret-Token header (Telegram does not sign bodies; it echoes the
// secret_token given to setWebhook). Out: sendMessage, quoting the customer's latest message.
// Message ids are unique per chat only, so external ids are "<chat id>:<message id>".
import { z } from 'zod';
import { PermanentError, RetryableError, type Connector, type InboundMessageEvent } from '../types.js';
import { tgResponse, tgUpdate, type GetUpdatesBody, type SendMessageBody, type TgMessage, type TgUpdate } from './wire.js';
import { constantTimeEqual } from '../signing.js';

export const telegramConfig = z.object({
  botToken: z.string().regex(/^\d+:[\w-]{20,}$/, 'must look like 123456:ABC-DEF… (from @BotFather)'),
  mode: z.enum(['webhook', 'polling']),
  /** Given to setWebhook as secret_token; Telegram sends it back on every webhook call. */
  secretToken: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z, a-z, 0-9, _ and -').optional(),
  /** Root of the Bot API (tests and the sandbox: the fake on loopback). Default https://api.telegram.org. */
  apiBaseUrl: z.string().url().optional(),
  pollSeconds: z.number().int().min(1).max(3600).optional(),
}).strict().superRefine((c, ctx) => {
  if (c.mode === 'webhook' && !c.secretToken) {
    ctx.addIssue({ code: 'custom', path: ['secretToken'], message: 'is required in webhook mode (it authenticates every webhook call)' });
  }
});
export type TelegramConfig = z.infer<typeof telegramConfig>;

const TIMEOUT_MS = 15_000;

/** Calls one Bot API method; failures are classified Retryable (429, 5xx, network) or Permanent. */
export async function callTelegram<T>(c: Pick<TelegramConfig, 'botToken' | 'apiBaseUrl'>, method: string, body: object): Promise<T> {
  const base = (c.apiBaseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/bot${c.botToken}/${method}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new RetryableError(`Telegram ${method} could not be reached: ${(err as Error).message}`);
  }
  const text = await res.text();
  let parsed;
  try { parsed = tgResponse.parse(JSON.parse(text)); } catch {
    const msg = `Telegram ${method} answered ${res.status} with an unreadable body`;
    throw res.status === 429 || res.status >= 500 ? new RetryableError(msg) : new PermanentError(msg);
  }
  if (parsed.ok && res.ok) return parsed.result as T;
  const code = parsed.error_code ?? res.status;
  const what = `Telegram ${method} failed (${code}): ${parsed.description ?? 'no description'}`;
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
  await callTelegram(c, 'setWebhook', { url, secret_token: c.secretToken, allowed_updates: ['message'] });
}

const name = (u: { first_name?: string; last_name?: string }) => [u.first_name, u.last_name].filter(Boolean).join(' ') || undefined;

function describeNonText(m: TgMessage): string {
  for (const k of ['photo', 'sticker', 'document', 'voice', 'video', 'audio', 'location', 'contact', 'animation', 'video_note', 'poll']) {
    if (k in m) return `[${k.replace('_', ' ')}]`;
  }
  return '[unsupported message]';
}

/** A message update -> a customer message; anything else (edits, bots, service messages) -> null. */
export function fromUpdate(u: TgUpdate): InboundMessageEvent | null {
  const m = u.message;
  if (!m || !m.from || m.from.is_bot) return null;
  return {
    kind: 'message',
    externalId: `${m.chat.id}:${m.message_id}`,
    threadKey: String(m.chat.id),
    sender: { externalId: String(m.from.id), name: name(m.from), handle: m.from.username },
    text: m.text ?? m.caption ?? describeNonText(m),
    attachments: [],
    sentAt: m.date * 1000,
    meta: m.chat.type !== 'private' ? { chatType: m.chat.type, chatTitle: m.chat.title } : undefined,
  };
}

export const telegram: Connector<TelegramConfig> = {
  kind: 'telegram',
  config: telegramConfig,
  secretFields: ['botToken', 'secretToken'],

  async verify(req, _raw, c) {
    // Without a secret token nothing authenticates a webhook call: refuse them all.
    if (!c.secretToken) return false;
    const got = req.headers.get('x-telegram-bot-api-secret-token');
    return got !== null && constantTimeEqual(got, c.secretToken);
  },

  parse(raw) {
    const update = tgUpdate.parse(JSON.parse(new TextDecoder().decode(raw)));
    const e = fromUpdate(update);
    return e ? [e] : [];
  },

  async poll(c, cursor) {
    const body: GetUpdatesBody = { limit: 100, timeout: 0, allowed_updates: ['message'] };
    if (cursor) body.offset = Number(cursor);
    const updates = z.array(tgUpdate).parse(await callTelegram<unknown>(c, 'getUpdates', body));
    const events = updates.map(fromUpdate).filter((e): e is InboundMessageEvent => e !== null);
    const last = updates.reduce((max, u) => Math.max(max, u.update_id), -1);
    return { events, cursor: last >= 0 ? String(last + 1) : cursor };
  },

  async send(c, msg) {
    const body: SendMessageBody = { chat_id: /^-?\d+$/.test(msg.threadKey) ? Number(msg.threadKey) : msg.threadKey, text: msg.text };
    const [chat, messageId] = (msg.replyToExternalId ?? '').split(':');
    if (chat === msg.threadKey && /^\d+$/.test(messageId ?? '')) {
      body.reply_parameters = { message_id: Number(messageId), allow_sending_without_reply: true };
    }
    const sent = await callTelegram<TgMessage>(c, 'sendMessage', body);
    return { externalId: `${sent.chat?.id ?? msg.threadKey}:${sent.message_id}` };
  },

  async fetchProfile(c, externalId) {
    const chat = await callTelegram<{ first_name?: string; last_name?: string; username?: string }>(c, 'getChat', { chat_id: Number(externalId) });
    return { name: name(chat), handle: chat.username };
  },

  pollSeconds: (c) => (c.mode === 'polling' ? c.pollSeconds ?? 5 : null),
  limits: { attachments: false, maxTextLength: 4096 },
};
