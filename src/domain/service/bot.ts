// The after-hours FAQ bot (settings.bot = {enabled, awayMessage}). Outside the inbox's business
// hours, a customer message that nobody (bot or agent) has answered in the last 12 hours gets
// the best-matching FAQ article, or the away message, plus a line saying a human will follow
// up. It never changes status or assignment: the conversation stays open for the agents. By
// day (or with no business hours configured) it stays silent.
import { z } from 'zod';
import { calendarFromSettings, hasBusinessHours } from '../workflow/business-hours.js';
import { loadConversationRow } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import { afterHoursPrompt } from './assistant/prompts.js';
import { callModel } from './assistant/call.js';
import { handoffSignal } from './assistant/handoff-signals.js';
import { assistantConfig } from './assistant/settings.js';
import { bestArticle, type FaqView } from './faq.js';
import { customerLanguage, type CustomerLanguage } from './retrieval/language.js';
import { DEFAULT_MIN_CONFIDENCE } from './retrieval/thresholds.js';
import { inboxSettings } from '../inboxes/inboxes.js';
import { writeOutgoing } from '../conversations/messages.js';
import { raw } from '../core/store.js';
import type { MessageRow } from '../core/rows.js';
import { jsonObject } from '../core/json-text.js';
import { registerInboxSettings } from '../inboxes/inbox-settings.js';

export const botSettingsSchema = z.object({
  enabled: z.boolean(),
  awayMessage: z.string().trim().min(1).max(2000).optional(),
  /** The ranking's confidence (0..1) an article needs before the bot answers with it. */
  minConfidence: z.number().min(0).max(1).optional(),
});
registerInboxSettings('bot', botSettingsSchema);

export { DEFAULT_MIN_CONFIDENCE } from './retrieval/thresholds.js';

export const BOT_QUIET_MS = 12 * 3_600_000;
const HANDOFF: Record<CustomerLanguage, string> = {
  en: 'A member of our team will follow up here as soon as we are back.',
  'zh-CN': '我们的客服人员上班后会尽快在这里回复您。',
  'zh-TW': '我們的客服人員上班後會盡快在這裡回覆您。',
};
const SOURCE: Record<CustomerLanguage, string> = { en: 'Source: ', 'zh-CN': '参考文章：', 'zh-TW': '參考文章：' };
const LANG_NAME: Record<CustomerLanguage, string> = { en: 'English', 'zh-CN': 'Simplified Chinese', 'zh-TW': 'Traditional Chinese' };

/**
 * With the assistant's after-hours option on, the model words the answer from the one article
 * the ranking trusts; its text is used only if it cites that article and does not ask for a
 * hand-off. Any failure (off, timeout, 429, 5xx) falls back to the article itself.
 */
async function afterHoursAnswer(deps: Deps, conversationId: string, text: string, article: FaqView, lang: CustomerLanguage) {
  const cfg = await assistantConfig(deps).catch(() => null);
  if (!cfg?.afterHours) return null;
  const r = await callModel(deps, { action: 'after-hours', conversationId, messages: afterHoursPrompt(text, [{ n: 1, title: article.title, body: article.body }], LANG_NAME[lang]), maxTokens: 300 });
  if (!r.ok || /HANDOFF/.test(r.text) || !r.text.includes('[1]')) return null;
  if (inventsNumbers(r.text, `${article.title}\n${article.body}\n${text}`)) {
    deps.log.warn({ conversationId, callId: r.callId }, 'model answer has figures the article does not: sent the article instead');
    return null;
  }
  return r;
}

/**
 * A figure (amount, date, count, id) in the model's answer that neither the article nor the
 * customer wrote is how an invented balance or approval shows; such an answer is not sent.
 */
export function inventsNumbers(answer: string, grounds: string): boolean {
  const known = new Set((grounds.normalize('NFKC').match(/\d+(?:[.,]\d+)*/g) ?? []).map((n) => n.replace(/,/g, '')));
  return (answer.normalize('NFKC').replace(/\[\d+\]/g, '').match(/\d+(?:[.,]\d+)*/g) ?? []).some((n) => !known.has(n.replace(/,/g, '')));
}

const AWAY: Record<CustomerLanguage, string> = {
  en: 'Thanks for your message! We are away right now.',
  'zh-CN': '感谢您的留言！我们现在不在线。',
  'zh-TW': '感謝您的留言！我們現在不在線。',
};

export interface BotOutcome { answered: 'faq' | 'away'; articleId?: string; messageId: string }

/** The inbox's bot settings if the bot would answer at `now` (on, business hours set, outside them); else null. */
export function botAwayNow(settings: Record<string, unknown>, now: number): z.infer<typeof botSettingsSchema> | null {
  const bot = botSettingsSchema.safeParse(settings.bot);
  if (!bot.success || !bot.data.enabled || !hasBusinessHours(settings)) return null;
  return calendarFromSettings(settings).isOpen(now) ? null : bot.data;
}

/** Reacts to one stored customer message; returns what the bot said, or null when it stayed silent. */
export async function botOnInbound(deps: Deps, message: MessageRow): Promise<BotOutcome | null> {
  if (message.direction !== 'in' || message.sender_type !== 'contact') return null;
  const meta = jsonObject(message.meta);
  if (meta.automated || meta.bulk) return null;
  const now = deps.clock.now();
  const bot = botAwayNow(await inboxSettings(deps, message.inbox_id), now);
  if (!bot) return null;
  const conversationId = message.conversation_id;
  // An agent talking with the customer lately (even at night): stay out of the way.
  const agent = await deps.store.get("SELECT 1 AS ok FROM messages WHERE conversation_id = ? AND direction = 'out' AND sender_type = 'user' AND private = 0 AND created_at > ?",
    [conversationId, now - BOT_QUIET_MS]);
  if (agent) return null;
  // At most one answer per conversation every 12 hours, claimed atomically.
  const [claimed] = await deps.store.atomically([raw(
    `INSERT INTO bot_answers(conversation_id, answered_at) VALUES (?1, ?2)
     ON CONFLICT(conversation_id) DO UPDATE SET answered_at = excluded.answered_at WHERE bot_answers.answered_at <= ?2 - ?3
     RETURNING conversation_id`, conversationId, now, BOT_QUIET_MS)]);
  if (claimed.length === 0) return null;

  const text = message.content;
  const lang = customerLanguage(text);
  const handoff = HANDOFF[lang];
  // Asking for a person or angry: no article, straight to the hand-off.
  const signal = handoffSignal(text);
  const best = signal ? null : await bestArticle(deps, text);
  const article = best && best.confidence >= (bot.minConfidence ?? DEFAULT_MIN_CONFIDENCE) ? best.article : null;
  let content = article
    ? `${article.title}\n\n${article.body}\n\n${handoff}`
    : `${bot.awayMessage ?? AWAY[lang]}\n\n${handoff}`;
  let reply: Record<string, unknown> = article ? { bot: 'faq', articleId: article.id, confidence: best!.confidence }
    : { bot: 'away', ...(best ? { confidence: best.confidence } : {}), ...(signal ? { handoff: signal } : {}) };
  if (article) {
    const ai = await afterHoursAnswer(deps, conversationId, text, article, lang);
    if (ai) {
      content = `${ai.text}\n\n${SOURCE[lang]}${article.title}\n\n${handoff}`;
      reply = { bot: 'ai', articleId: article.id, confidence: best!.confidence, callId: ai.callId };
    }
  }
  const conv = await loadConversationRow(deps, conversationId);
  if (!conv) return null;
  try {
    const msg = await writeOutgoing(deps, conv, { content, senderType: 'bot', senderId: null, meta: reply });
    return { answered: article ? 'faq' : 'away', articleId: article?.id, messageId: msg.id };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    deps.log.info({ conversationId, reason: err.code }, 'bot answer skipped');
    return null;
  }
}
