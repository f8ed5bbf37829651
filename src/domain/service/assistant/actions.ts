// The agent's assistant actions on a conversation: suggested reply (grounded in the top FAQ
// articles and similar resolved conversations, sources returned), summary, translation of a
// customer message or of the agent's draft, tone fix of a draft. Each returns text for the
// composer; nothing is sent to the customer from here.
import type { Actor } from '../../core/actor.js';
import { getVisibleConversation } from '../../conversations/conversations.js';
import type { Deps } from '../../deps.js';
import { AppError, notFound } from '../../core/errors.js';
import { latestCustomerText, MIN_SUGGESTION_CONFIDENCE, rankArticles } from '../faq.js';
import { customerLanguage } from '../retrieval/language.js';
import { similarResolved } from '../retrieval/resolved-conversations.js';
import { callError, callModel } from './call.js';
import { replyPrompt, summaryPrompt, tonePrompt, translatePrompt, type Source } from './prompts.js';

export interface SourceRef { n: number; type: 'faq' | 'conversation'; id: string; title: string; link: string }
export interface AssistantOutput { text: string; callId: string; sources?: SourceRef[] }

const LANG_NAME: Record<string, string> = { en: 'English', 'zh-CN': 'Simplified Chinese', 'zh-TW': 'Traditional Chinese' };

async function run(deps: Deps, actor: Actor, action: string, conversationId: string, messages: Parameters<typeof callModel>[1]['messages']) {
  const r = await callModel(deps, { action, conversationId, userId: actor.id, messages });
  if (!r.ok) throw callError(r);
  return r;
}

export async function suggestReply(deps: Deps, actor: Actor, conversationId: string): Promise<AssistantOutput> {
  await getVisibleConversation(deps, actor, conversationId);
  const customer = await latestCustomerText(deps, conversationId);
  if (!customer.trim()) throw new AppError(409, 'nothing_to_answer', 'The customer has not written anything yet');
  const articles = (await rankArticles(deps, customer, { limit: 3 })).filter((a) => a.confidence >= MIN_SUGGESTION_CONFIDENCE);
  const cases = await similarResolved(deps, actor, customer, conversationId);
  const refs: SourceRef[] = [];
  const sources: Source[] = [];
  for (const a of articles) {
    const n = sources.length + 1;
    sources.push({ n, title: a.article.title, body: a.article.body });
    refs.push({ n, type: 'faq', id: a.article.id, title: a.article.title, link: `/api/v1/faq-articles/${a.article.id}` });
  }
  for (const c of cases) {
    if (!c.answer) continue;
    const n = sources.length + 1;
    sources.push({ n, title: `A similar resolved case: "${c.question.slice(0, 80)}"`, body: `Agent answered: ${c.answer.slice(0, 1000)}` });
    refs.push({ n, type: 'conversation', id: c.conversationId, title: c.question.slice(0, 80), link: `#/inbox/${c.conversationId}` });
  }
  const r = await run(deps, actor, 'reply', conversationId, replyPrompt(customer, sources, LANG_NAME[customerLanguage(customer)]!));
  return { text: r.text, callId: r.callId, sources: refs };
}

export async function summarize(deps: Deps, actor: Actor, conversationId: string): Promise<AssistantOutput> {
  await getVisibleConversation(deps, actor, conversationId);
  const rows = await deps.store.all<{ direction: string; sender_type: string; content: string; private: number }>(
    `SELECT direction, sender_type, content, private FROM (SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 80) ORDER BY created_at, id`, [conversationId]);
  if (rows.length === 0) throw new AppError(409, 'nothing_to_summarize', 'The conversation has no messages');
  const who = (r: (typeof rows)[number]) => (r.private ? 'Note' : r.direction === 'in' ? 'Customer' : r.sender_type === 'bot' ? 'Bot' : 'Agent');
  const transcript = rows.map((r) => `${who(r)}: ${r.content.slice(0, 1500)}`).join('\n').slice(0, 24_000);
  const r = await run(deps, actor, 'summary', conversationId, summaryPrompt(transcript));
  return { text: r.text, callId: r.callId };
}

export async function translate(deps: Deps, actor: Actor, conversationId: string, input: { messageId?: string; text?: string; target?: string }): Promise<AssistantOutput> {
  await getVisibleConversation(deps, actor, conversationId);
  let text = input.text;
  if (input.messageId) {
    const m = await deps.store.get<{ content: string }>('SELECT content FROM messages WHERE id = ? AND conversation_id = ?', [input.messageId, conversationId]);
    if (!m) throw notFound('Message');
    text = m.content;
  }
  if (!text?.trim()) throw new AppError(400, 'invalid_request', 'Give messageId or text', { field: 'text' });
  // zh <-> en by default: Chinese goes to English, anything else to simplified Chinese.
  const target = input.target?.trim() || (customerLanguage(text) === 'en' ? 'Simplified Chinese' : 'English');
  const r = await run(deps, actor, 'translate', conversationId, translatePrompt(text.slice(0, 8000), target));
  return { text: r.text, callId: r.callId };
}

export async function fixTone(deps: Deps, actor: Actor, conversationId: string, draft: string): Promise<AssistantOutput> {
  await getVisibleConversation(deps, actor, conversationId);
  if (!draft.trim()) throw new AppError(400, 'invalid_request', 'The draft is empty', { field: 'draft' });
  const r = await run(deps, actor, 'tone', conversationId, tonePrompt(draft.slice(0, 8000)));
  return { text: r.text, callId: r.callId };
}
