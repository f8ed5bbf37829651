// Attachments kept with inbound messages (email files, screenshots): read back for agents
// who may see the conversation they belong to. Anyone else gets 404, as if it did not exist.
import type { Actor } from './actor.js';
import { getVisibleConversation } from './conversations.js';
import type { Deps } from './deps.js';
import { AppError, notFound } from './errors.js';

export interface AttachmentFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  data: Uint8Array | null;
  url: string | null;
}

export async function getVisibleAttachment(deps: Deps, actor: Actor, id: string): Promise<AttachmentFile> {
  const row = await deps.store.get(
    `SELECT a.id, a.filename, a.content_type, a.size, a.data, a.url, m.conversation_id, m.private
     FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = ?`, [id]);
  if (!row) throw notFound('Attachment');
  try {
    await getVisibleConversation(deps, actor, row.conversation_id as string);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw notFound('Attachment');
    throw err;
  }
  // better-sqlite3 gives a Uint8Array (Buffer); D1 gives an ArrayBuffer or an array of bytes.
  const d = row.data;
  const data = d == null ? null : d instanceof Uint8Array ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : Array.isArray(d) ? Uint8Array.from(d as number[]) : null;
  if (!data && !row.url) {
    throw new AppError(404, 'attachment_not_stored', `"${row.filename as string}" was over the size limit when it arrived and was not stored; open it in the original channel`);
  }
  return {
    id: row.id as string,
    filename: row.filename as string,
    contentType: row.content_type as string,
    size: row.size as number,
    data,
    url: (row.url as string | null) ?? null,
  };
}
