// Visitors of the web chat widget: a contact identity per browser (or per signed-in customer
// when the host site vouches for an identifier), created when the visitor first writes, and
// their one conversation in the inbox.
import type { InboundMessageEvent } from '../../../connectors/types.js';
import { hmacSha256, sha256Hex, timingSafeEqualStr, toHex } from '../core/crypto.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { ingest } from '../ingest/ingest.js';
import { listMessages } from '../conversations/messages.js';
import { raw } from '../core/store.js';
import type { InboxRow, MessageRow } from '../core/rows.js';
import { openInboxConfig } from '../inboxes/inbox-config.js';
import { checkFile } from '../media/media.js';
import type { UploadFile } from '../media/outgoing-files.js';

/** The largest file a visitor may attach in the widget (the widget checks before uploading, too). */
export const WEBCHAT_MAX_FILE_BYTES = 10 * 1048576;

export interface VisitorStart { name?: string; email?: string; identifier?: string; identifierHash?: string }

export async function inboxForWebchatToken(deps: Deps, token: string): Promise<InboxRow> {
  const inbox = await deps.store.get<InboxRow>('SELECT * FROM inboxes WHERE webchat_token = ?', [token]);
  // Only a channel that declares a public widget serves one (its inbox got the token).
  if (!inbox || !deps.connectors.get(inbox.channel)?.info.publicWidget) throw notFound('Chat');
  return inbox;
}

export async function startVisitor(deps: Deps, inbox: InboxRow, input: VisitorStart): Promise<string> {
  const config = await openInboxConfig(deps, inbox) as { identitySecret?: string };
  let visitorId = `v_${newId()}`;
  if (input.identifier) {
    // Only the host site, holding identitySecret, can claim a known customer across devices.
    if (!config.identitySecret) throw new AppError(400, 'identity_not_enabled', 'This chat does not accept identifiers');
    const expected = toHex(await hmacSha256(config.identitySecret, input.identifier));
    if (!input.identifierHash || !timingSafeEqualStr(expected, input.identifierHash)) {
      throw new AppError(401, 'invalid_identifier_hash', 'identifierHash does not match the identifier');
    }
    visitorId = `id_${input.identifier}`;
  }
  // No contact yet: one is created when the visitor first writes (ingest), so opening the
  // widget (or a script hammering /sessions) leaves nothing behind. A returning signed-in
  // customer's profile gets what they typed now.
  if (input.identifier && (input.name || input.email)) {
    await deps.store.run(`UPDATE contacts SET name = coalesce(?1, name), email = coalesce(?2, email)
         WHERE id = (SELECT contact_id FROM contact_identities WHERE inbox_id = ?3 AND external_id = ?4)
           AND ((?1 IS NOT NULL AND name IS NOT ?1) OR (?2 IS NOT NULL AND email IS NOT ?2))`,
      [input.name ?? null, input.email ?? null, inbox.id, visitorId]);
  }
  return visitorId;
}

export interface VisitorWriter { visitorId: string; name?: string; email?: string }

/** The message's id on the platform side: a retried POST with the same clientMessageId lands once, and no two visitors' ids can meet. */
export async function visitorMessageExternalId(visitorId: string, clientMessageId?: string): Promise<string> {
  return clientMessageId ? `wc:${await sha256Hex(JSON.stringify([visitorId, clientMessageId]))}` : `${visitorId}:${newId()}`;
}

export async function postVisitorMessage(deps: Deps, inbox: InboxRow, who: VisitorWriter, content: string, clientMessageId?: string, files: UploadFile[] = []) {
  const text = content.trim();
  if (!text && files.length === 0) throw new AppError(400, 'invalid_request', 'content must not be empty (or attach a file)');
  // A visitor's file that fails a check is refused outright (the widget shows why), not stored as refused.
  for (const f of files) {
    const c = await checkFile({ data: f.data, filename: f.filename, declaredType: f.contentType, maxBytes: WEBCHAT_MAX_FILE_BYTES });
    if (c.state !== 'ready') throw new AppError(422, 'file_refused', `"${c.filename}" was refused: ${c.error}`);
  }
  const visitorId = who.visitorId;
  const event: InboundMessageEvent = {
    kind: 'message',
    externalId: await visitorMessageExternalId(visitorId, clientMessageId),
    threadKey: visitorId,
    sender: { externalId: visitorId, name: who.name, email: who.email },
    text,
    attachments: files.map((f) => ({ filename: f.filename, contentType: f.contentType, size: f.data.byteLength, data: f.data })),
    sentAt: deps.clock.now(),
  };
  await ingest(deps, { id: inbox.id, channel: inbox.channel }, [event]);
  // Only ever this visitor's own message, even if an id were somehow shared.
  const msg = await deps.store.get<MessageRow>(`SELECT * FROM messages WHERE inbox_id = ? AND external_id = ?
    AND conversation_id = (SELECT id FROM conversations WHERE inbox_id = ? AND thread_key = ?)`, [inbox.id, event.externalId, inbox.id, visitorId]);
  if (!msg) throw new AppError(409, 'duplicate_message', 'This clientMessageId was already used');
  return msg;
}

export async function visitorConversationId(deps: Deps, inboxId: string, visitorId: string): Promise<string | null> {
  const c = await deps.store.get<{ id: string }>('SELECT id FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inboxId, visitorId]);
  return c?.id ?? null;
}

export async function visitorConversationStatus(deps: Deps, inboxId: string, visitorId: string): Promise<string | null> {
  const c = await deps.store.get<{ status: string }>('SELECT status FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inboxId, visitorId]);
  return c?.status ?? null;
}

export async function listVisitorMessages(deps: Deps, inboxId: string, visitorId: string, limit: number, cursor?: string) {
  const id = await visitorConversationId(deps, inboxId, visitorId);
  if (!id) return { data: [], nextCursor: null };
  return listMessages(deps, id, limit, cursor, { includePrivate: false });
}
