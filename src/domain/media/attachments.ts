// Attachments read back for whoever may see the conversation they belong to (agents through
// their inbox membership, a visitor through their own conversation). Anyone else gets 404, as
// if it did not exist. The bytes come from the blob store; rows from before it existed kept
// them in the `data` column.
import type { Actor } from '../core/actor.js';
import { getVisibleConversation } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import type { AttachmentFileRow } from '../core/rows.js';

export interface AttachmentFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  data: Uint8Array | ReadableStream<Uint8Array> | null;
  url: string | null;
}

const SELECT = `SELECT a.id, a.filename, a.content_type, a.size, a.data, a.url, a.sha256, a.state, a.error, m.conversation_id, m.private
  FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = ?`;

export async function getVisibleAttachment(deps: Deps, actor: Actor, id: string): Promise<AttachmentFile> {
  const row = await deps.store.get<AttachmentFileRow>(SELECT, [id]);
  if (!row) throw notFound('Attachment');
  try {
    await getVisibleConversation(deps, actor, row.conversation_id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw notFound('Attachment');
    throw err;
  }
  return fileOf(deps, row);
}

/** A file of the visitor's own conversation (never of a private note). */
export async function getVisitorAttachment(deps: Deps, conversationId: string | null, id: string): Promise<AttachmentFile> {
  const row = await deps.store.get<AttachmentFileRow>(SELECT, [id]);
  if (!row || !conversationId || row.conversation_id !== conversationId || row.private) throw notFound('Attachment');
  return fileOf(deps, row);
}

/** A file by id alone: for the signed public URL of an outgoing file (the signature is the permission). */
export async function getAttachmentById(deps: Deps, id: string): Promise<AttachmentFile> {
  const row = await deps.store.get<AttachmentFileRow>(SELECT, [id]);
  if (!row) throw notFound('Attachment');
  return fileOf(deps, row);
}

async function fileOf(deps: Deps, row: AttachmentFileRow): Promise<AttachmentFile> {
  const name = row.filename;
  if (row.state === 'pending') throw new AppError(409, 'attachment_pending', `"${name}" is still being downloaded from the channel; try again in a moment`);
  if (row.state === 'refused' || row.state === 'failed') {
    throw new AppError(404, 'attachment_not_stored', `"${name}" was not stored: ${row.error ?? 'over the size limit when it arrived'}`);
  }
  let data: AttachmentFile['data'] = null;
  if (row.sha256) data = await deps.blobs.stream(row.sha256);
  else {
    // better-sqlite3 gives a Uint8Array (Buffer); D1 gives an ArrayBuffer or an array of bytes.
    const d = row.data;
    data = d == null ? null : d instanceof Uint8Array ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : Array.isArray(d) ? Uint8Array.from(d) : null;
  }
  if (!data && !row.url) {
    throw new AppError(404, 'attachment_not_stored', `"${name}" is missing from the file store; open it in the original channel`);
  }
  return { id: row.id, filename: name, contentType: row.content_type, size: row.size, data, url: row.url };
}
