// Delivers queued replies through their channel's connector. Rows are claimed with one
// UPDATE ... RETURNING, so two workers (or two processes on one file) never take the same
// row. A row is sent at most once: one left 'sending' by a worker that died is marked failed
// ("outcome unknown") for an agent to retry, never re-sent blindly.
import { PermanentError, RetryableError, type MediaKind, type OutboundFile, type OutboundMessage } from '../../connectors/types.js';
import { signedFileUrl } from './file-links.js';
import { kindOf } from './media.js';
import { emitEvents } from '../events/emit.js';
import type { Deps } from './deps.js';
import { newId } from './ids.js';
import { raw, type Row } from './store.js';
import { messageView } from './views.js';

export const OUTBOX_MAX_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 2_000;
const MAX_BACKOFF_MS = 60 * 60_000;
const LEASE_MS = 5 * 60_000;

/** The platform messages a reply goes out as: files per message as the channel takes them; the text as the first caption, or first on its own. */
export function outboundParts(msg: OutboundMessage, out?: { filesPerMessage: number; captions: boolean }): OutboundMessage[] {
  if (msg.attachments.length === 0 || !out) return [msg];
  const chunks: OutboundMessage['attachments'][] = [];
  for (let i = 0; i < msg.attachments.length; i += Math.max(1, out.filesPerMessage)) chunks.push(msg.attachments.slice(i, i + Math.max(1, out.filesPerMessage)));
  const parts = chunks.map((attachments, i) => ({ ...msg, text: out.captions && i === 0 ? msg.text : '', attachments }));
  return !out.captions && msg.text ? [{ ...msg, attachments: [] }, ...parts] : parts;
}

export function backoffMs(attempt: number, retryAfterMs?: number): number {
  const exp = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(exp, retryAfterMs ?? 0);
}

export interface DeliveryReport { claimed: number; sent: number; retried: number; failed: number }

export async function deliverDueOutbox(deps: Deps, opts: { limit?: number } = {}): Promise<DeliveryReport> {
  const now = deps.clock.now();
  const report: DeliveryReport = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  await failAbandoned(deps, now);
  const token = newId();
  const [claimed] = await deps.store.atomically([raw(
    `UPDATE outbox SET status = 'sending', lock_token = ?, locked_until = ?, attempts = attempts + 1
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?)
     RETURNING *`, token, now + LEASE_MS, now, opts.limit ?? 50)]);
  report.claimed = claimed.length;
  claimed.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  for (const row of claimed) {
    const outcome = await deliverOne(deps, row, token);
    report[outcome]++;
  }
  return report;
}

async function deliverOne(deps: Deps, row: Row, token: string): Promise<'sent' | 'retried' | 'failed'> {
  const messageId = row.message_id as string;
  try {
    const ctx = await loadDeliveryContext(deps, messageId);
    const connector = deps.connectors.get(ctx.inbox.channel as never);
    if (!connector) throw new PermanentError(`No connector for channel ${ctx.inbox.channel}`);
    const config = connector.config.parse(ctx.inbox.config);
    // A reply with files may be several platform messages: each part done is recorded at once,
    // so a retry goes on from the first part not sent and no file goes out twice.
    const parts = outboundParts(ctx.outbound, connector.limits.media?.outbound);
    let result = { externalId: (ctx.externalId ?? ctx.outbound.messageId) as string };
    for (let i = row.parts_done as number ?? 0; i < parts.length; i++) {
      result = await connector.send(config, parts[i]);
      if (i < parts.length - 1) await deps.store.run('UPDATE outbox SET parts_done = ? WHERE id = ? AND lock_token = ?', [i + 1, row.id, token]);
    }
    await finish(deps, row, token, messageId, [
      raw("UPDATE outbox SET status = 'done', lock_token = NULL, last_error = NULL WHERE id = ? AND lock_token = ?", row.id, token),
      // The platform's echo of this very message may have been ingested before send() returned
      // (Messenger/Instagram echoes can overtake the API response): that row already holds the
      // id, so keep ours without it rather than fail on UNIQUE(inbox_id, external_id) and resend.
      raw(`UPDATE messages SET delivery_status = CASE WHEN delivery_status IN ('delivered', 'read') THEN delivery_status ELSE 'sent' END,
           external_id = CASE WHEN EXISTS (SELECT 1 FROM messages o WHERE o.inbox_id = messages.inbox_id AND o.external_id = ?1 AND o.id <> messages.id)
             THEN external_id ELSE ?1 END, error = NULL WHERE id = ?2`, result.externalId, messageId),
    ]);
    return 'sent';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const attempts = row.attempts as number;
    const retryable = !(err instanceof PermanentError) && attempts < OUTBOX_MAX_ATTEMPTS
      && (err instanceof RetryableError || !(err instanceof Error && err.name === 'ZodError'));
    if (retryable) {
      const wait = backoffMs(attempts, err instanceof RetryableError ? err.retryAfterMs : undefined);
      await finish(deps, row, token, messageId, [
        raw("UPDATE outbox SET status = 'pending', lock_token = NULL, next_attempt_at = ?, last_error = ? WHERE id = ? AND lock_token = ?",
          deps.clock.now() + wait, message, row.id, token),
        raw('UPDATE messages SET error = ? WHERE id = ?', `Retrying: ${message}`, messageId),
      ]);
      deps.log.warn({ messageId, attempts, waitMs: wait, err: message }, 'outbox send failed, will retry');
      return 'retried';
    }
    await finish(deps, row, token, messageId, [
      raw("UPDATE outbox SET status = 'failed', lock_token = NULL, last_error = ? WHERE id = ? AND lock_token = ?", message, row.id, token),
      raw("UPDATE messages SET delivery_status = 'failed', error = ? WHERE id = ?", message, messageId),
    ]);
    deps.log.warn({ messageId, attempts, err: message }, 'outbox send failed for good');
    return 'failed';
  }
}

async function finish(deps: Deps, row: Row, _token: string, messageId: string, stmts: ReturnType<typeof raw>[]) {
  await deps.store.atomically(stmts);
  const msg = await deps.store.get('SELECT * FROM messages WHERE id = ?', [messageId]);
  if (msg) await emitEvents(deps, [{ type: 'message.updated', inboxId: row.inbox_id as string, conversationId: msg.conversation_id as string, payload: { message: messageView(msg) } }]);
}

async function failAbandoned(deps: Deps, now: number) {
  const [rows] = await deps.store.atomically([raw(
    `UPDATE outbox SET status = 'failed', last_error = 'Delivery outcome unknown: the worker stopped while sending. Check the channel, then retry.'
     WHERE status = 'sending' AND locked_until < ? RETURNING message_id`, now)]);
  for (const r of rows) {
    await deps.store.run("UPDATE messages SET delivery_status = 'failed', error = 'Delivery outcome unknown: the worker stopped while sending' WHERE id = ?", [r.message_id]);
  }
}

/** How writeOutgoing decided the message must go out: under a tag, or as a template. */
function sendOptions(meta: unknown): Pick<OutboundMessage, 'tag' | 'template'> {
  if (typeof meta !== 'string') return {};
  const m = JSON.parse(meta) as { messageTag?: string; template?: OutboundMessage['template'] };
  return { ...(m.messageTag ? { tag: m.messageTag } : {}), ...(m.template ? { template: m.template } : {}) };
}

async function loadDeliveryContext(deps: Deps, messageId: string) {
  const m = await deps.store.get(`SELECT m.*, c.thread_key, c.subject, c.identity_id, c.contact_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?`, [messageId]);
  if (!m) throw new PermanentError('The message no longer exists');
  const inbox = await deps.store.get<{ id: string; channel: string; config: string }>('SELECT id, channel, config FROM inboxes WHERE id = ?', [m.inbox_id]);
  if (!inbox) throw new PermanentError('The inbox no longer exists');
  const who = await deps.store.get(`SELECT ci.external_id, ci.handle, ct.name, ct.email, ct.phone FROM contact_identities ci
    JOIN contacts ct ON ct.id = ci.contact_id WHERE ci.id = ?`, [m.identity_id]);
  if (!who) throw new PermanentError('The customer for this conversation is unknown');
  const thread = await deps.store.all<{ external_id: string; direction: string }>(
    `SELECT external_id, direction FROM messages WHERE conversation_id = ? AND external_id IS NOT NULL AND private = 0 AND id <> ?
     ORDER BY created_at, id`, [m.conversation_id, messageId]);
  const lastIn = [...thread].reverse().find((t) => t.direction === 'in');
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
    conversationId: m.conversation_id as string,
    threadKey: m.thread_key as string,
    recipient: {
      externalId: who.external_id as string,
      handle: (who.handle as string) ?? undefined,
      name: (who.name as string) ?? undefined,
      email: (who.email as string) ?? undefined,
      phone: (who.phone as string) ?? undefined,
    },
    text: m.content as string,
    subject: (m.subject as string) ?? undefined,
    replyToExternalId: lastIn?.external_id,
    threadExternalIds: thread.map((t) => t.external_id),
    attachments: files,
    ...sendOptions(m.meta),
  };
  return { inbox: { ...inbox, config: JSON.parse(inbox.config) as unknown }, outbound, externalId: m.external_id as string | null };
}
