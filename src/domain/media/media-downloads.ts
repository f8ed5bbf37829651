// The download job: inbound files still on the platform (WhatsApp media ids, Telegram file
// ids, Meta CDN and Twilio media URLs, X media) are fetched after the webhook was answered,
// through the connector's fetchMedia with the inbox's credentials. A failure the platform may
// get over (5xx, timeout) is tried again with backoff; after MEDIA_MAX_ATTEMPTS, or at once
// for a refusal (gone, over the limit), the attachment says why and the message keeps its text.
import { FileTooLargeError, PermanentError, RetryableError } from '../../../connectors/types.js';
import { emitEvents } from '../events/emit.js';
import type { Deps } from '../deps.js';
import { DEFAULT_INBOUND_MAX_BYTES } from './inbound-media.js';
import { connectorFor } from '../inboxes/inbox-config.js';
import { checkAndStore, isMediaKind, type CheckedFile } from './media.js';
import { raw, type Row } from '../core/store.js';
import type { AttachmentRow, MessageRow } from '../core/rows.js';
import { numberOf, textOf, textOrNullOf } from '../core/returned.js';
import { jsonObject } from '../core/json-text.js';
import { ATTACHMENTS_JSON, messageView } from '../core/views.js';

export const MEDIA_MAX_ATTEMPTS = 3;
const BASE_BACKOFF_MS = 10_000;
// A download in progress holds its row this long; a worker that died lets it go after that.
const LEASE_MS = 5 * 60_000;
const PARALLEL = 3;

export const mediaBackoffMs = (attempt: number) => BASE_BACKOFF_MS * 3 ** Math.max(0, attempt - 1);

export interface DownloadReport { claimed: number; ready: number; retried: number; failed: number }

export async function downloadDueMedia(deps: Deps, opts: { limit?: number } = {}): Promise<DownloadReport> {
  const now = deps.clock.now();
  const report: DownloadReport = { claimed: 0, ready: 0, retried: 0, failed: 0 };
  const [claimed] = await deps.store.atomically([raw(
    `UPDATE attachments SET attempts = attempts + 1, next_attempt_at = ?1
     WHERE id IN (SELECT id FROM attachments WHERE state = 'pending' AND next_attempt_at <= ?2 ORDER BY next_attempt_at, id LIMIT ?3)
     RETURNING id, message_id, inbox_id, filename, content_type, size, kind, remote, attempts`, now + LEASE_MS, now, opts.limit ?? 20)]);
  report.claimed = claimed.length;
  for (let i = 0; i < claimed.length; i += PARALLEL) {
    const outcomes = await Promise.all(claimed.slice(i, i + PARALLEL).map((row) => downloadOne(deps, claimedDownload(row))));
    for (const o of outcomes) report[o]++;
  }
  return report;
}

/** The columns downloadDueMedia's claim returns. */
type DownloadRow = Pick<AttachmentRow, 'id' | 'message_id' | 'inbox_id' | 'filename' | 'content_type' | 'kind' | 'remote' | 'attempts'>;

/** A claimed row's columns, checked (RETURNING rows come back untyped). */
function claimedDownload(r: Row): DownloadRow {
  return {
    id: textOf(r, 'id'), message_id: textOf(r, 'message_id'), inbox_id: textOf(r, 'inbox_id'), filename: textOf(r, 'filename'),
    content_type: textOf(r, 'content_type'), kind: textOrNullOf(r, 'kind'), remote: textOrNullOf(r, 'remote'), attempts: numberOf(r, 'attempts'),
  };
}

async function downloadOne(deps: Deps, row: DownloadRow): Promise<'ready' | 'retried' | 'failed'> {
  const attempts = row.attempts;
  try {
    const inbox = await deps.store.get<{ channel: string; config: string }>('SELECT channel, config FROM inboxes WHERE id = ?', [row.inbox_id]);
    if (!inbox) throw new PermanentError('the inbox no longer exists');
    // Credentials are sealed at rest: opened for this one call.
    const found = await connectorFor(deps, inbox);
    if (!found?.connector.fetchMedia) throw new PermanentError(`the ${inbox.channel} channel cannot download files`);
    const { connector, config } = found;
    const maxBytes = connector.limits.media?.inboundMaxBytes ?? DEFAULT_INBOUND_MAX_BYTES;
    const remote = jsonObject(row.remote);
    const got = await connector.fetchMedia!(config, remote, { maxBytes }); // checked above
    const file = await checkAndStore(deps.blobs, {
      data: got.data, filename: row.filename !== 'file' ? row.filename : got.filename ?? row.filename,
      declaredType: row.content_type === 'application/octet-stream' ? got.contentType : row.content_type,
      maxBytes, kind: isMediaKind(row.kind) ? row.kind : undefined,
    });
    await settle(deps, row, file);
    return file.state === 'ready' ? 'ready' : 'failed';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof RetryableError || !(err instanceof PermanentError)) {
      if (attempts < MEDIA_MAX_ATTEMPTS) {
        await deps.store.atomically([
          raw("UPDATE attachments SET next_attempt_at = ?, error = ? WHERE id = ? AND state = 'pending'", deps.clock.now() + mediaBackoffMs(attempts), `Retrying: ${message}`, row.id),
          raw(`UPDATE messages SET attachments = ${ATTACHMENTS_JSON} WHERE id = ?1`, row.message_id),
        ]);
        deps.log.warn({ attachmentId: row.id, attempts, err: message }, 'media download failed, will retry');
        return 'retried';
      }
      await settle(deps, row, null, `could not be downloaded after ${attempts} tries (${message}); open it in the original channel`);
    } else {
      const why = err instanceof FileTooLargeError ? err.message.replace('over the limit', "over this inbox's limit") : message;
      await settle(deps, row, null, why, err instanceof FileTooLargeError ? 'refused' : 'failed');
    }
    deps.log.warn({ attachmentId: row.id, attempts, err: message }, 'media download gave up');
    return 'failed';
  }
}

/** Writes the outcome on the attachment and refreshes the message's attachment list, in one unit; tells the agents. */
async function settle(deps: Deps, row: Pick<DownloadRow, 'id' | 'message_id'>, file: CheckedFile | null, error?: string, state: 'refused' | 'failed' = 'failed') {
  const set = file
    ? raw(`UPDATE attachments SET state = ?, filename = ?, content_type = ?, size = ?, sha256 = ?, kind = ?, error = ?, next_attempt_at = NULL WHERE id = ?`,
      file.state, file.filename, file.contentType, file.size, file.sha256, file.kind, file.error, row.id)
    : raw('UPDATE attachments SET state = ?, error = ?, next_attempt_at = NULL WHERE id = ?', state, error ?? null, row.id);
  const [, [msg]] = await deps.store.atomically([set, raw(`UPDATE messages SET attachments = ${ATTACHMENTS_JSON} WHERE id = ?1 RETURNING *`, row.message_id)]) as [unknown, MessageRow[]];
  if (msg) await emitEvents(deps, [{ type: 'message.updated', inboxId: msg.inbox_id, conversationId: msg.conversation_id, payload: { message: messageView(msg) } }]);
}

