// "Continue on another channel": when a channel's window has closed (or at any time), an agent
// may write to the same customer through another inbox where the contact is reachable: an
// identity the contact already has there, or the contact's email address / phone for a channel
// that can start threads that way (Connector.startsThreads). The reply goes out in that inbox's conversation with the customer (found or
// opened), and a private note in each conversation links to the other one.
import { canSeeAll, canSeeInbox, type Actor } from '../core/actor.js';
import { conversationChanged, getVisibleConversation, loadConversationRow } from '../conversations/conversations.js';
import { linkConversationsStmt } from '../conversations/links.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { writeOutgoing } from '../conversations/messages.js';
import { replyPolicy } from './reply-window.js';
import { raw } from '../core/store.js';
import type { MessageView } from '../core/views.js';
import type { ConversationRow } from '../core/rows.js';

export interface ContinueOption { inboxId: string; inboxName: string; channel: string; address: string; conversationId: string | null }

/** Where else this conversation's customer can be written to right now (other inboxes the actor sees). */
export async function continuationOptions(deps: Deps, actor: Actor, conv: Pick<ConversationRow, 'contact_id' | 'inbox_id'>): Promise<ContinueOption[]> {
  const contact = await deps.store.get<{ email: string | null; phone: string | null }>('SELECT email, phone FROM contacts WHERE id = ?', [conv.contact_id]);
  const inboxes = await deps.store.all<{ id: string; name: string; channel: string }>('SELECT id, name, channel FROM inboxes WHERE id <> ? ORDER BY created_at, id', [conv.inbox_id]);
  const out: ContinueOption[] = [];
  for (const inbox of inboxes) {
    if (!(await canSeeInbox(deps, actor, inbox.id))) continue;
    const target = await targetIn(deps, conv.contact_id, inbox, contact ?? { email: null, phone: null });
    if (!target) continue;
    // A thread at the contact's email/phone field (no identity there yet) chooses where the
    // customer is written to from a field any agent can edit: like changing a conversation's
    // reply target, that is for admins and leads (docs/security.md, "Replies follow the
    // conversation"). Agents continue only where the customer already is.
    if (!target.identityId && !canSeeAll(actor)) continue;
    const connector = deps.connectors.get(inbox.channel);
    if (target.conversation) {
      const policy = await replyPolicy(deps, target.conversation, connector, deps.clock.now());
      if (policy.state !== 'open' && policy.state !== 'tagged') continue;
    } else if (connector?.limits.replyWindowHours) continue; // a windowed channel cannot start a thread
    out.push({ inboxId: inbox.id, inboxName: inbox.name, channel: inbox.channel, address: target.address, conversationId: target.conversation?.id ?? null });
    if (out.length >= 10) break;
  }
  return out;
}

/** The contact's identity in an inbox (or the address to create one), and its latest conversation there. */
async function targetIn(deps: Deps, contactId: string, inbox: { id: string; channel: string }, contact: { email: string | null; phone: string | null }) {
  const identity = await deps.store.get<{ id: string; external_id: string }>(
    'SELECT id, external_id FROM contact_identities WHERE inbox_id = ? AND contact_id = ? ORDER BY created_at DESC LIMIT 1', [inbox.id, contactId]);
  const by = deps.connectors.get(inbox.channel)?.startsThreads?.by;
  const address = identity?.external_id ?? (by === 'email' ? contact.email : by === 'phone' ? contact.phone : null);
  if (!address) return null;
  const conversation = identity
    ? await deps.store.get<ConversationRow>('SELECT * FROM conversations WHERE inbox_id = ? AND identity_id = ? ORDER BY last_activity_at DESC LIMIT 1', [inbox.id, identity.id])
    : undefined;
  return { identityId: identity?.id ?? null, address, conversation };
}

export async function continueConversation(deps: Deps, actor: Actor, conversationId: string, input: { inboxId: string; content: string }): Promise<{ conversationId: string; message: MessageView }> {
  const conv = await getVisibleConversation(deps, actor, conversationId);
  const options = await continuationOptions(deps, actor, conv);
  const option = options.find((o) => o.inboxId === input.inboxId);
  if (!option) throw new AppError(422, 'cannot_continue', 'The customer cannot be reached through that inbox now (no identity, address or open window there)', { field: 'inboxId' });
  const inbox = (await deps.store.get<{ id: string; channel: string }>('SELECT id, channel FROM inboxes WHERE id = ?', [option.inboxId]))!;
  let targetId = option.conversationId;
  if (!targetId) targetId = await openConversation(deps, conv, inbox, option.address);
  const target = (await loadConversationRow(deps, targetId))!;
  const message = await writeOutgoing(deps, target, { content: input.content, senderType: 'user', senderId: actor.id });
  const fromInbox = (await deps.store.get<{ name: string }>('SELECT name FROM inboxes WHERE id = ?', [conv.inbox_id]))!;
  await writeOutgoing(deps, conv, { content: `Continued on ${option.inboxName} (${option.address}): conversation ${targetId}`, private: true, senderType: 'user', senderId: actor.id, meta: { link: { conversationId: targetId, inboxId: option.inboxId, channel: option.channel } } });
  await writeOutgoing(deps, target, { content: `Continued from ${fromInbox.name}: conversation ${conv.id}`, private: true, senderType: 'user', senderId: actor.id, meta: { link: { conversationId: conv.id, inboxId: conv.inbox_id, channel: conv.channel } } });
  await deps.store.atomically([linkConversationsStmt(conv.id, targetId, deps.clock.now(), actor.id)]);
  await conversationChanged(deps, conv.id, { linkedConversationId: targetId, by: actor.id });
  await conversationChanged(deps, targetId, { linkedConversationId: conv.id, by: actor.id });
  return { conversationId: targetId, message };
}

/** A new thread in the target inbox: the identity (address) and a conversation its replies will join. */
async function openConversation(deps: Deps, conv: Pick<ConversationRow, 'contact_id' | 'subject'>, inbox: { id: string; channel: string }, address: string): Promise<string> {
  const now = deps.clock.now();
  const identityId = newId();
  const id = newId();
  // The connector says whether the address is the thread (the customer's answer joins it) or
  // replies find the thread themselves (email In-Reply-To) and the key only has to be unique.
  const threadKey = deps.connectors.get(inbox.channel)?.startsThreads?.threadKey === 'address' ? address : `continued:${id}`;
  await deps.store.atomically([
    raw(`INSERT INTO contact_identities(id, inbox_id, channel, external_id, contact_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(inbox_id, external_id) DO NOTHING`, identityId, inbox.id, inbox.channel, address, conv.contact_id, now),
    raw(`INSERT INTO conversations(id, inbox_id, contact_id, identity_id, thread_key, subject, status, last_activity_at, created_at)
         SELECT ?, ?, ci.contact_id, ci.id, ?, ?, 'open', ?, ? FROM contact_identities ci WHERE ci.inbox_id = ? AND ci.external_id = ?
         ON CONFLICT(inbox_id, thread_key) DO NOTHING`, id, inbox.id, threadKey, conv.subject ?? 'Following up on your message', now, now, inbox.id, address),
  ]);
  const row = await deps.store.get<{ id: string }>('SELECT id FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inbox.id, threadKey]);
  return row!.id;
}
