// @mentions in private notes: "@Lin Wei" (a user's name) or "@lin.wei" (the local part of their
// email) notifies that user with a `mention` event only they receive (events.user_id).
import { emitEvents } from '../events/emit.js';
import type { Deps } from '../deps.js';

export interface Mentionable { id: string; name: string; email: string }

// Characters that continue a word: a mention must not be followed by one (except after a
// CJK name, since Chinese runs on without spaces: "@王小明请看").
const WORD = /[\p{L}\p{N}_\-]/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;

/** The users mentioned in `text`; at each "@" the longest matching name or email local part wins. */
export function findMentions(text: string, users: Mentionable[]): string[] {
  const keys: { key: string; id: string }[] = [];
  for (const u of users) {
    if (u.name.trim()) keys.push({ key: u.name.trim().toLowerCase(), id: u.id });
    const local = u.email.split('@')[0]?.toLowerCase();
    if (local) keys.push({ key: local, id: u.id });
  }
  keys.sort((a, b) => b.key.length - a.key.length);
  const lower = text.toLowerCase();
  const found = new Set<string>();
  for (let i = lower.indexOf('@'); i >= 0; i = lower.indexOf('@', i + 1)) {
    // "a@b.com" is an address, not a mention.
    if (i > 0 && /[\p{L}\p{N}._\-]/u.test(lower[i - 1])) continue;
    const rest = lower.slice(i + 1);
    for (const k of keys) {
      if (!rest.startsWith(k.key)) continue;
      const next = rest.slice(k.key.length, k.key.length + 1);
      // A trailing "." ends a sentence, not the name: "@lin." mentions lin.
      if (next && WORD.test(next) && !CJK.test(k.key)) continue;
      found.add(k.id);
      break;
    }
  }
  return [...found];
}

interface MessagePayload { id: string; conversationId: string; private: boolean; content: string; sender: { type: string; id: string | null } }

/** On a private note by an agent: one `mention` event per mentioned user who may see the inbox. */
export async function notifyMentions(deps: Deps, e: { type: string; inboxId: string | null; payload: Record<string, unknown> }): Promise<string[]> {
  if (e.type !== 'message.created' || !e.inboxId) return [];
  const m = e.payload.message as MessagePayload | undefined;
  if (!m || !m.private || m.sender?.type !== 'user' || !m.content.includes('@')) return [];
  const users = await deps.store.all<Mentionable>(
    `SELECT id, name, email FROM users WHERE role IN ('admin', 'lead') OR id IN (SELECT user_id FROM inbox_members WHERE inbox_id = ?)`,
    [e.inboxId],
  );
  const mentioned = findMentions(m.content, users).filter((id) => id !== m.sender.id);
  const excerpt = m.content.length > 200 ? `${m.content.slice(0, 199)}…` : m.content;
  await emitEvents(deps, mentioned.map((userId) => ({
    type: 'mention', inboxId: e.inboxId, conversationId: m.conversationId, userId,
    payload: { conversationId: m.conversationId, messageId: m.id, by: m.sender.id, excerpt },
  })));
  return mentioned;
}
