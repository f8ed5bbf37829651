// What a connector needs to send one reply: the inbox config and the outbound message, read
// from the store right before the send (so a config fixed meanwhile is used).
import { PermanentError, type MediaKind, type OutboundFile, type OutboundMessage } from '../../../connectors/types.js';
import type { Deps } from '../deps.js';
import { signedFileUrl } from '../media/file-links.js';
import { openInboxConfig } from '../inboxes/inbox-config.js';
import { kindOf } from '../media/media.js';
import type { DeliveryRow, RecipientRow } from '../core/rows.js';

export async function loadDeliveryContext(deps: Deps, messageId: string) {
  const m = await deps.store.get<DeliveryRow>(`SELECT m.*, c.thread_key, c.subject, c.identity_id, c.contact_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?`, [messageId]);
  if (!m) throw new PermanentError('The message no longer exists');
  const inbox = await deps.store.get<{ id: string; channel: string; config: string }>('SELECT id, channel, config FROM inboxes WHERE id = ?', [m.inbox_id]);
  if (!inbox) throw new PermanentError('The inbox no longer exists');
  // The address is the conversation's own identity, never the contact's editable email/phone
  // fields: anyone who can edit a contact (or merge one) must not redirect its replies.
  const who = await deps.store.get<RecipientRow>(`SELECT ci.external_id, ci.handle, ct.name FROM contact_identities ci
    JOIN contacts ct ON ct.id = ci.contact_id WHERE ci.id = ? AND ci.inbox_id = ?`, [m.identity_id, m.inbox_id]);
  if (!who) throw new PermanentError('The customer for this conversation is unknown');
  const thread = await deps.store.all<{ id: string; external_id: string; direction: string }>(
    `SELECT id, external_id, direction FROM messages WHERE conversation_id = ? AND external_id IS NOT NULL AND private = 0 AND id <> ?
     ORDER BY created_at, id`, [m.conversation_id, messageId]);
  const lastIn = [...thread].reverse().find((t) => t.direction === 'in');
  const lastInMeta = lastIn ? (await deps.store.get<{ meta: string | null }>('SELECT meta FROM messages WHERE id = ?', [lastIn.id]))?.meta : null;
  const atts = await deps.store.all<{ id: string; filename: string; content_type: string; size: number; sha256: string | null; data: Uint8Array | null; kind: string | null }>(
    "SELECT id, filename, content_type, size, sha256, data, kind FROM attachments WHERE message_id = ? AND state = 'ready' ORDER BY id", [messageId]);
  const files: OutboundFile[] = [];
  for (const a of atts) {
    const data = a.sha256 ? await deps.blobs.get(a.sha256) : a.data;
    if (!data) throw new PermanentError(`The file "${a.filename}" is missing from the file store`);
    files.push({ filename: a.filename, contentType: a.content_type, size: a.size, data, url: await signedFileUrl(deps, a.id), kind: kindOf(a.content_type, (a.kind ?? undefined) as MediaKind | undefined) });
  }
  const outbound: OutboundMessage = {
    messageId,
    conversationId: m.conversation_id,
    threadKey: m.thread_key,
    recipient: {
      externalId: who.external_id,
      handle: who.handle ?? undefined,
      name: who.name ?? undefined,
    },
    text: m.content,
    subject: m.subject ?? undefined,
    replyToExternalId: lastIn?.external_id,
    ...(lastInMeta ? { replyToMeta: JSON.parse(lastInMeta) as Record<string, unknown> } : {}),
    threadExternalIds: thread.map((t) => t.external_id),
    attachments: files,
    ...sendOptions(m.meta),
  };
  return { inbox: { ...inbox, config: await openInboxConfig(deps, inbox) as unknown }, outbound, externalId: m.external_id };
}

/** How writeOutgoing decided the message must go out: under a tag, or as a template. */
function sendOptions(meta: unknown): Pick<OutboundMessage, 'tag' | 'template'> {
  if (typeof meta !== 'string') return {};
  const m = JSON.parse(meta) as { messageTag?: string; template?: OutboundMessage['template'] };
  return { ...(m.messageTag ? { tag: m.messageTag } : {}), ...(m.template ? { template: m.template } : {}) };
}
