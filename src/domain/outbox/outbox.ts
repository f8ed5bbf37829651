// One reply's way through the outbox, as row states:
//   pending -> claimed -> sending -> done | pending (retry later) | failed
//   claimed (lease ran out, never sent)        -> pending   (safe: the platform was not called)
//   sending (lease ran out, process gone)      -> unknown   (the platform may have it: never resent
//                                                            blindly, an agent checks and retries)
// Each step is one conditional UPDATE on the row's lock token, so a row is handed to
// connector.send at most once per claim, and a claim lost to another process is noticed
// before the call. A reply with files may go out as several platform messages (outboundParts):
// outbox.parts_done counts those delivered, so a retry starts after them. The loop that drives
// rows (lanes per inbox, one per process) is outbox-loop.ts.
import { PermanentError, RetryableError, type OutboundMessage } from '../../../connectors/types.js';
import { emitEvents } from '../events/emit.js';
import type { Deps } from '../deps.js';
import { loadDeliveryContext } from './outbox-context.js';
import { raw, type Row, type Stmt } from '../core/store.js';
import type { MessageRow, OutboxRow } from '../core/rows.js';
import { numberOf, textOf } from '../core/returned.js';
import { messageView } from '../core/views.js';

/** Attempts before a reply that keeps failing retryably is given up (~3 h of trying at the cap). */
export const OUTBOX_MAX_ATTEMPTS = 40;
/** A reply older than this is not retried any more: the conversation has moved on. */
export const OUTBOX_GIVE_UP_MS = 24 * 3600_000;
const BASE_BACKOFF_MS = 2_000;
const MAX_BACKOFF_MS = 5 * 60_000;
export const UNKNOWN_REASON = 'Delivery outcome unknown: Parley stopped while the platform was being called, so the customer may or may not have this reply. Check the conversation on the platform, then retry only if it is missing.';

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

export type Outcome = 'sent' | 'retried' | 'failed' | 'lost';
export interface SendResult { outcome: Outcome; retryAfterMs?: number; nextAttemptAt?: number }

/** The outbox columns a send reads. */
export type ClaimedRow = Pick<OutboxRow, 'id' | 'message_id' | 'attempts' | 'parts_done' | 'created_at'>;

/** Checks a claimed row's columns: RETURNING rows (atomically) come back untyped, and so do tests' rows. */
function claimedRow(r: Row): ClaimedRow {
  return {
    id: textOf(r, 'id'), message_id: textOf(r, 'message_id'), attempts: numberOf(r, 'attempts'),
    parts_done: r.parts_done == null ? 0 : numberOf(r, 'parts_done'), created_at: numberOf(r, 'created_at'),
  };
}

/** Takes the lane's next due row under a lease; never sends. */
export async function claimNext(deps: Deps, inboxId: string, token: string, leaseMs: number): Promise<ClaimedRow | undefined> {
  const now = deps.clock.now();
  const [rows] = await deps.store.atomically([raw(
    `UPDATE outbox SET status = 'claimed', lock_token = ?, locked_until = ?
     WHERE id = (SELECT id FROM outbox WHERE inbox_id = ? AND status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1)
       AND status = 'pending'
     RETURNING *`, token, now + leaseMs, inboxId, now)]);
  return rows[0] && claimedRow(rows[0]);
}

/** Inboxes with a reply due now (the lanes to run). */
export async function dueLanes(deps: Deps): Promise<string[]> {
  const rows = await deps.store.all<{ inbox_id: string }>(
    "SELECT DISTINCT inbox_id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?", [deps.clock.now()]);
  return rows.map((r) => r.inbox_id);
}

/** Extends the lease of a row this worker holds; false = the claim was lost. */
export async function renewLease(deps: Deps, rowId: string, token: string, leaseMs: number): Promise<boolean> {
  const r = await deps.store.run("UPDATE outbox SET locked_until = ? WHERE id = ? AND lock_token = ? AND status IN ('claimed', 'sending')",
    [deps.clock.now() + leaseMs, rowId, token]);
  return r.changes === 1;
}

/** Gives back a claimed row that was not sent (shutdown). */
export async function releaseClaim(deps: Deps, rowId: string, token: string): Promise<void> {
  await deps.store.run("UPDATE outbox SET status = 'pending', lock_token = NULL, locked_until = NULL WHERE id = ? AND lock_token = ? AND status = 'claimed'", [rowId, token]);
}

/**
 * Sends one claimed row. The claim is re-checked and the row marked `sending` (attempt
 * counted) in one statement right before the platform is called; every outcome is recorded
 * only while the token still matches, so a row recovered by another worker is never touched.
 */
export async function sendClaimed(deps: Deps, claimed: Row, token: string, leaseMs: number): Promise<SendResult> {
  const row = claimedRow(claimed);
  const messageId = row.message_id;
  let ctx: Awaited<ReturnType<typeof loadDeliveryContext>>;
  let config: unknown;
  let connector;
  try {
    ctx = await loadDeliveryContext(deps, messageId);
    connector = deps.connectors.get(ctx.inbox.channel);
    if (!connector) throw new PermanentError(`No connector for channel ${ctx.inbox.channel}`);
    config = connector.config.parse(ctx.inbox.config);
  } catch (err) {
    return recordFailure(deps, row, token, err, row.attempts + 1);
  }
  const [began] = await deps.store.atomically([raw(
    `UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ? WHERE id = ? AND lock_token = ? AND status = 'claimed' RETURNING attempts`,
    deps.clock.now() + leaseMs, row.id, token)]);
  if (began.length === 0) return { outcome: 'lost' };
  const attempts = numberOf(began[0], 'attempts');
  // A reply with files may be several platform messages: each part done is recorded at once,
  // so a retry goes on from the first part not sent and no file goes out twice.
  const parts = outboundParts(ctx.outbound, connector.limits.media?.outbound);
  let externalId = ctx.externalId ?? ctx.outbound.messageId;
  try {
    for (let i = row.parts_done; i < parts.length; i++) {
      externalId = (await connector.send(config, parts[i])).externalId;
      if (i < parts.length - 1) await deps.store.run('UPDATE outbox SET parts_done = ? WHERE id = ? AND lock_token = ?', [i + 1, row.id, token]);
    }
  } catch (err) {
    return recordFailure(deps, row, token, err, attempts);
  }
  await finish(deps, row, messageId, [
    raw("UPDATE outbox SET status = 'done', lock_token = NULL, locked_until = NULL, last_error = NULL WHERE id = ? AND lock_token = ?", row.id, token),
    // The platform's echo of this very message may have been ingested before send() returned
    // (Messenger/Instagram echoes can overtake the API response): that row already holds the
    // id, so keep ours without it rather than fail on UNIQUE(inbox_id, external_id) and resend.
    // Recorded even when the row went `unknown` meanwhile (this worker stalled past its lease):
    // the outcome is known now. Not when an agent already re-queued it (token cleared).
    raw(`UPDATE messages SET delivery_status = CASE WHEN delivery_status IN ('delivered', 'read') THEN delivery_status ELSE 'sent' END,
         external_id = CASE WHEN EXISTS (SELECT 1 FROM messages o WHERE o.inbox_id = messages.inbox_id AND o.external_id = ?1 AND o.id <> messages.id)
           THEN external_id ELSE ?1 END, error = NULL
         WHERE id = ?2 AND EXISTS (SELECT 1 FROM outbox WHERE id = ?3 AND status = 'done')`, externalId, messageId, row.id),
  ]);
  return { outcome: 'sent' };
}

async function recordFailure(deps: Deps, row: ClaimedRow, token: string, err: unknown, attempts: number): Promise<SendResult> {
  const messageId = row.message_id;
  const message = err instanceof Error ? err.message : String(err);
  const now = deps.clock.now();
  const tooOld = now - row.created_at > OUTBOX_GIVE_UP_MS;
  const retryable = !(err instanceof PermanentError) && attempts < OUTBOX_MAX_ATTEMPTS && !tooOld
    && (err instanceof RetryableError || !(err instanceof Error && err.name === 'ZodError'));
  const mine = 'AND lock_token = ? AND status IN (\'claimed\', \'sending\')';
  if (retryable) {
    const retryAfterMs = err instanceof RetryableError ? err.retryAfterMs : undefined;
    const wait = backoffMs(attempts, retryAfterMs);
    await finish(deps, row, messageId, [
      raw(`UPDATE outbox SET status = 'pending', attempts = max(attempts, ?), lock_token = NULL, locked_until = NULL, next_attempt_at = ?, last_error = ? WHERE id = ? ${mine}`,
        attempts, now + wait, message, row.id, token),
      raw("UPDATE messages SET error = ? WHERE id = ? AND EXISTS (SELECT 1 FROM outbox WHERE id = ? AND status = 'pending')", `Retrying: ${message}`, messageId, row.id),
    ]);
    deps.log.warn({ messageId, attempts, waitMs: wait, err: message }, 'outbox send failed, will retry');
    return { outcome: 'retried', retryAfterMs: wait, nextAttemptAt: now + wait };
  }
  const reason = tooOld || attempts >= OUTBOX_MAX_ATTEMPTS ? `Gave up after ${attempts} attempts: ${message}` : message;
  await finish(deps, row, messageId, [
    raw(`UPDATE outbox SET status = 'failed', attempts = max(attempts, ?), lock_token = NULL, locked_until = NULL, last_error = ? WHERE id = ? ${mine}`, attempts, reason, row.id, token),
    raw("UPDATE messages SET delivery_status = 'failed', error = ? WHERE id = ? AND EXISTS (SELECT 1 FROM outbox WHERE id = ? AND status = 'failed')", reason, messageId, row.id),
  ]);
  deps.log.warn({ messageId, attempts, err: reason }, 'outbox send failed for good');
  return { outcome: 'failed' };
}

async function finish(deps: Deps, row: ClaimedRow, messageId: string, stmts: Stmt[]) {
  await deps.store.atomically(stmts);
  const msg = await deps.store.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [messageId]);
  if (msg) await emitEvents(deps, [{ type: 'message.updated', inboxId: msg.inbox_id, conversationId: msg.conversation_id, payload: { message: messageView(msg) } }]);
}

/**
 * Rows whose lease ran out: a claim that never reached the platform goes back to the queue at
 * once; a send in flight when its worker vanished becomes `unknown` with a reason an agent can
 * act on. Returns how many became unknown.
 */
export async function recoverExpired(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const [, unknown] = await deps.store.atomically([
    raw("UPDATE outbox SET status = 'pending', lock_token = NULL, locked_until = NULL WHERE status = 'claimed' AND locked_until < ?", now),
    raw("UPDATE outbox SET status = 'unknown', last_error = ? WHERE status = 'sending' AND locked_until < ? RETURNING message_id, inbox_id", UNKNOWN_REASON, now),
  ]);
  if (unknown.length === 0) return 0;
  // Its own statement, and idempotent (every queued message of an unknown row), so a crash
  // between the two is healed by the next recovery; one batch on D1 as well.
  await deps.store.run(`UPDATE messages SET delivery_status = 'unknown', error = ? WHERE delivery_status = 'queued'
    AND id IN (SELECT message_id FROM outbox WHERE status = 'unknown')`, [UNKNOWN_REASON]);
  for (const r of unknown) {
    const msg = await deps.store.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [r.message_id]);
    if (msg) await emitEvents(deps, [{ type: 'message.updated', inboxId: msg.inbox_id, conversationId: msg.conversation_id, payload: { message: messageView(msg) } }]);
  }
  return unknown.length;
}

export { deliverDueOutbox, type DeliveryReport } from './outbox-loop.js';

/** True while the row that paused a lane still waits for the retry it was given (not sent, failed or re-queued since). */
export async function stillWaiting(deps: Deps, rowId: string, nextAttemptAt: number): Promise<boolean> {
  return Boolean(await deps.store.get("SELECT 1 AS ok FROM outbox WHERE id = ? AND status = 'pending' AND next_attempt_at = ?", [rowId, nextAttemptAt]));
}
