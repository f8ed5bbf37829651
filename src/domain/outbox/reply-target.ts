// Where a conversation's replies go: the channel identity it belongs to (conversations.
// identity_id), set by ingest when the customer first wrote. Contact profile fields (email,
// phone), merges and visitors' forms never change it; only this explicit act does, by an admin
// or lead, and it is audited.
import { requireRole, type Actor } from '../core/actor.js';
import { auditStmt, type AuditBy } from '../core/audit.js';
import { conversationChanged, getVisibleConversation } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { raw } from '../core/store.js';

export interface ReplyTarget { identityId: string; channel: string; externalId: string; handle: string | null }

export async function getReplyTarget(deps: Deps, actor: Actor, conversationId: string): Promise<ReplyTarget> {
  const conv = await getVisibleConversation(deps, actor, conversationId);
  const row = await deps.store.get<{ id: string; channel: string; external_id: string; handle: string | null }>(
    'SELECT id, channel, external_id, handle FROM contact_identities WHERE id = ?', [conv.identity_id]);
  if (!row) throw new AppError(404, 'not_found', 'This conversation has no customer identity');
  return { identityId: row.id, channel: row.channel, externalId: row.external_id, handle: row.handle };
}

/**
 * Points the conversation's replies at `externalId` (an address on the conversation's own
 * channel, in its own inbox). An identity the inbox already knows must belong to the
 * conversation's contact (merge first otherwise); a new one is created for that contact.
 */
export async function setReplyTarget(deps: Deps, actor: Actor, by: AuditBy, conversationId: string, externalId: string): Promise<ReplyTarget> {
  requireRole(actor, 'admin', 'lead');
  const conv = await getVisibleConversation(deps, actor, conversationId);
  const before = await getReplyTarget(deps, actor, conversationId);
  const inbox = await deps.store.get<{ channel: string }>('SELECT channel FROM inboxes WHERE id = ?', [conv.inbox_id]);
  const address = inbox!.channel === 'email' ? externalId.trim().toLowerCase() : externalId.trim();
  if (!address) throw new AppError(400, 'invalid_request', 'externalId must not be empty');
  if (inbox!.channel === 'email' && !/^[^\s@]+@[^\s@]+$/.test(address)) throw new AppError(400, 'invalid_request', 'externalId must be an email address for an email inbox');
  if (inbox!.channel === 'sms' && !/^\+?[0-9]{3,20}$/.test(address)) throw new AppError(400, 'invalid_request', 'externalId must be a phone number (digits, optional leading +) for an SMS inbox');
  const existing = await deps.store.get<{ id: string; contact_id: string }>(
    'SELECT id, contact_id FROM contact_identities WHERE inbox_id = ? AND external_id = ?', [conv.inbox_id, address]);
  if (existing && existing.contact_id !== conv.contact_id) {
    throw new AppError(409, 'identity_of_other_contact', `${address} belongs to another contact in this inbox; merge the contacts first`);
  }
  const identityId = existing?.id ?? newId();
  const now = deps.clock.now();
  await deps.store.atomically([
    ...(existing ? [] : [raw(`INSERT INTO contact_identities(id, inbox_id, channel, external_id, contact_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      identityId, conv.inbox_id, inbox!.channel, address, conv.contact_id, now)]),
    raw('UPDATE conversations SET identity_id = ? WHERE id = ?', identityId, conversationId),
    auditStmt(deps, by, { action: 'conversation.reply_target_changed', targetType: 'conversation', targetId: conversationId,
      details: { inboxId: conv.inbox_id, from: before.externalId, to: address } }),
  ]);
  await conversationChanged(deps, conversationId, { replyTarget: address, by: actor.id });
  return getReplyTarget(deps, actor, conversationId);
}
