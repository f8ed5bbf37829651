// Visitors of the web chat widget: a contact identity per browser (or per signed-in customer
// when the host site vouches for an identifier), and their one conversation in the inbox.
import type { InboundMessageEvent } from '../../connectors/types.js';
import { hmacSha256, timingSafeEqualStr, toHex } from '../auth/crypto.js';
import type { Deps } from './deps.js';
import { AppError, notFound } from './errors.js';
import { newId } from './ids.js';
import { ingest } from './ingest.js';
import { listMessages } from './messages.js';
import { raw, type Row } from './store.js';
import { checkFile } from './media.js';
import type { UploadFile } from './outgoing-files.js';

/** The largest file a visitor may attach in the widget (the widget checks before uploading, too). */
export const WEBCHAT_MAX_FILE_BYTES = 10 * 1048576;

export interface VisitorStart { name?: string; email?: string; identifier?: string; identifierHash?: string }

export async function inboxForWebchatToken(deps: Deps, token: string): Promise<Row> {
  const inbox = await deps.store.get("SELECT * FROM inboxes WHERE webchat_token = ? AND channel = 'webchat'", [token]);
  if (!inbox) throw notFound('Chat');
  return inbox;
}

export async function startVisitor(deps: Deps, inbox: Row, input: VisitorStart): Promise<string> {
  const config = JSON.parse(inbox.config as string) as { identitySecret?: string };
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
  const now = deps.clock.now();
  const contactId = newId();
  await deps.store.atomically([
    raw(`INSERT INTO contacts(id, name, email, attributes, created_at)
         SELECT ?, ?, ?, '{}', ? WHERE NOT EXISTS (SELECT 1 FROM contact_identities WHERE inbox_id = ? AND external_id = ?)`,
      contactId, input.name ?? null, input.email ?? null, now, inbox.id, visitorId),
    raw(`INSERT INTO contact_identities(id, inbox_id, channel, external_id, contact_id, created_at) VALUES (?, ?, 'webchat', ?, ?, ?)
         ON CONFLICT(inbox_id, external_id) DO NOTHING`, newId(), inbox.id, visitorId, contactId, now),
    raw(`UPDATE contacts SET name = coalesce(?1, name), email = coalesce(?2, email)
         WHERE id = (SELECT contact_id FROM contact_identities WHERE inbox_id = ?3 AND external_id = ?4)
           AND ((?1 IS NOT NULL AND name IS NOT ?1) OR (?2 IS NOT NULL AND email IS NOT ?2))`,
      input.name ?? null, input.email ?? null, inbox.id, visitorId),
  ]);
  return visitorId;
}

export async function postVisitorMessage(deps: Deps, inbox: Row, visitorId: string, content: string, clientMessageId?: string, files: UploadFile[] = []) {
  const text = content.trim();
  if (!text && files.length === 0) throw new AppError(400, 'invalid_request', 'content must not be empty (or attach a file)');
  // A visitor's file that fails a check is refused outright (the widget shows why), not stored as refused.
  for (const f of files) {
    const c = await checkFile({ data: f.data, filename: f.filename, declaredType: f.contentType, maxBytes: WEBCHAT_MAX_FILE_BYTES });
    if (c.state !== 'ready') throw new AppError(422, 'file_refused', `"${c.filename}" was refused: ${c.error}`);
  }
  const who = await deps.store.get<{ name: string | null; email: string | null }>(
    'SELECT ct.name, ct.email FROM contact_identities ci JOIN contacts ct ON ct.id = ci.contact_id WHERE ci.inbox_id = ? AND ci.external_id = ?', [inbox.id, visitorId]);
  if (!who) throw new AppError(401, 'unknown_visitor', 'Start a chat session first');
  const event: InboundMessageEvent = {
    kind: 'message',
    // A client id makes a retried POST (flaky mobile network) land once.
    externalId: clientMessageId ? `${visitorId}:${clientMessageId}` : `${visitorId}:${newId()}`,
    threadKey: visitorId,
    sender: { externalId: visitorId, name: who.name ?? undefined, email: who.email ?? undefined },
    text,
    attachments: files.map((f) => ({ filename: f.filename, contentType: f.contentType, size: f.data.byteLength, data: f.data })),
    sentAt: deps.clock.now(),
  };
  await ingest(deps, { id: inbox.id as string, channel: 'webchat' }, [event]);
  const msg = await deps.store.get('SELECT * FROM messages WHERE inbox_id = ? AND external_id = ?', [inbox.id, event.externalId]);
  return msg!;
}

export async function visitorConversationId(deps: Deps, inboxId: string, visitorId: string): Promise<string | null> {
  const c = await deps.store.get<{ id: string }>('SELECT id FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inboxId, visitorId]);
  return c?.id ?? null;
}

export async function listVisitorMessages(deps: Deps, inboxId: string, visitorId: string, limit: number, cursor?: string) {
  const id = await visitorConversationId(deps, inboxId, visitorId);
  if (!id) return { data: [], nextCursor: null };
  return listMessages(deps, id, limit, cursor, { includePrivate: false });
}
