// Outgoing webhooks: admins register URLs with event filters. Every matching domain event
// becomes a delivery row (its id is the stable X-Parley-Delivery id, its body fixed once),
// and deliverDueWebhooks (a scheduled job) POSTs them, signed:
//   X-Parley-Signature: sha256=<hex HMAC-SHA256(secret, `${X-Parley-Timestamp}.${body}`)>
// Non-2xx answers and network errors are retried with exponential backoff (Retry-After is
// honoured when longer) until MAX_ATTEMPTS, then the delivery is marked failed.
import type { ParleyEvent } from '../events/bus.js';
import { hmacSha256, randomToken, toHex } from '../core/crypto.js';
import { requireRole, type Actor } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../core/paging.js';
import { jsonStrings } from '../core/json-text.js';
import { parseRetryAfter } from '../../../connectors/retry-after.js';
import type { OutgoingWebhookRow, WebhookDeliveryRow } from '../core/rows.js';
import { isoOrNull } from '../core/views.js';

export const MAX_ATTEMPTS = 10;
export const BASE_BACKOFF_MS = 30_000;
export const MAX_BACKOFF_MS = 6 * 3_600_000;
export const REQUEST_TIMEOUT_MS = 10_000;
/** Deliveries sent at the same time by one run. */
const CONCURRENCY = 8;
/** A claimed delivery whose worker died is taken again after this (longer than a whole run takes). */
const LOCK_MS = 10 * 60_000;
const MAX_ERROR_CHARS = 500;

/** Delay before attempt n+1 after n failed attempts: 30 s, 1 min, 2 min, … 128 min (about 4 h 15 min in all before giving up); capped at 6 h. */
export const backoffMs = (attempts: number) => Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));

const parseEvents = (text: string): string[] => {
  try { return jsonStrings(text); } catch { return []; }
};

export function webhookView(r: OutgoingWebhookRow) {
  return {
    id: r.id,
    url: r.url,
    events: parseEvents(r.events),
    description: r.description ?? null,
    active: Boolean(r.active),
    createdAt: isoOrNull(r.created_at),
  };
}

export function deliveryView(r: WebhookDeliveryRow) {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    eventType: r.event_type,
    status: r.status,
    attempts: r.attempts,
    responseCode: r.last_status_code ?? null,
    lastError: r.last_error ?? null,
    lastAttemptAt: isoOrNull(r.last_attempt_at),
    nextAttemptAt: r.status === 'pending' ? isoOrNull(r.next_attempt_at) : null,
    deliveredAt: isoOrNull(r.delivered_at),
    createdAt: isoOrNull(r.created_at),
  };
}

const EVENT_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/;

export interface WebhookInput { url: string; events: string[]; description?: string | null }

function checkInput(input: WebhookInput) {
  let u: URL;
  try { u = new URL(input.url); } catch { throw new AppError(400, 'invalid_request', 'url: not a valid URL'); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new AppError(400, 'invalid_request', 'url: must be http or https');
  if (u.username || u.password) throw new AppError(400, 'invalid_request', 'url: must not carry credentials; verify the signature instead');
  const events = [...new Set(input.events.map((e) => e.trim()))];
  if (events.length === 0) throw new AppError(400, 'invalid_request', 'events: give at least one event type or "*"');
  const bad = events.find((e) => !EVENT_PATTERN.test(e));
  if (bad) throw new AppError(400, 'invalid_request', `events: "${bad}" is not an event type (e.g. message.created, message.*, *)`);
  return { url: u.toString(), events };
}

/** Registers a URL; the answer carries the signing secret, shown this once only. */
export async function createWebhook(deps: Deps, actor: Actor, input: WebhookInput) {
  requireRole(actor, 'admin');
  const { url, events } = checkInput(input);
  const id = newId();
  const secret = `whsec_${randomToken(32)}`;
  await deps.store.run(
    'INSERT INTO outgoing_webhooks(id, url, events, secret, description, active, created_by, created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)',
    [id, url, JSON.stringify(events), await deps.secrets.seal(secret), input.description ?? null, actor.id, deps.clock.now()],
  );
  const row = await deps.store.get<OutgoingWebhookRow>('SELECT * FROM outgoing_webhooks WHERE id = ?', [id]);
  return { ...webhookView(row!), secret };
}

export async function listWebhooks(deps: Deps, actor: Actor) {
  requireRole(actor, 'admin');
  const rows = await deps.store.all<OutgoingWebhookRow>('SELECT * FROM outgoing_webhooks ORDER BY created_at, id');
  return rows.map(webhookView);
}

async function getWebhookRow(deps: Deps, actor: Actor, id: string) {
  requireRole(actor, 'admin');
  const row = await deps.store.get<OutgoingWebhookRow>('SELECT * FROM outgoing_webhooks WHERE id = ?', [id]);
  if (!row) throw notFound('Webhook');
  return row;
}

export async function getWebhook(deps: Deps, actor: Actor, id: string) {
  return webhookView(await getWebhookRow(deps, actor, id));
}

/** Removes the endpoint and its delivery log; pending deliveries are not sent. */
export async function deleteWebhook(deps: Deps, actor: Actor, id: string) {
  await getWebhookRow(deps, actor, id);
  await deps.store.atomically([
    { sql: 'DELETE FROM webhook_deliveries WHERE webhook_id = ?', params: [id] },
    { sql: 'DELETE FROM outgoing_webhooks WHERE id = ?', params: [id] },
  ]);
}

/** Delivery log, newest first. */
export async function listDeliveries(deps: Deps, actor: Actor, webhookId: string, limit: number, cursor?: string): Promise<Page<ReturnType<typeof deliveryView>>> {
  await getWebhookRow(deps, actor, webhookId);
  const after = decodeCursor(cursor);
  const rows = await deps.store.all<WebhookDeliveryRow>(
    `SELECT * FROM webhook_deliveries WHERE webhook_id = ? ${after ? 'AND (created_at, id) < (?, ?)' : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
    [webhookId, ...(after ?? []), limit + 1],
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(deliveryView), nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}

/** Puts a delivery back in the queue now (the log's "redeliver" button); same id and body. */
export async function redeliver(deps: Deps, actor: Actor, webhookId: string, deliveryId: string) {
  await getWebhookRow(deps, actor, webhookId);
  const row = await deps.store.get<WebhookDeliveryRow>("UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lock_token = NULL, locked_until = NULL WHERE id = ? AND webhook_id = ? AND status <> 'delivering' RETURNING *",
    [deps.clock.now(), deliveryId, webhookId]);
  if (!row) {
    const exists = await deps.store.get('SELECT status FROM webhook_deliveries WHERE id = ? AND webhook_id = ?', [deliveryId, webhookId]);
    if (!exists) throw notFound('Delivery');
    throw new AppError(409, 'delivery_in_progress', 'This delivery is being sent right now');
  }
  return deliveryView(row);
}

/** The JSON every endpoint receives. */
export function eventBody(e: ParleyEvent, deliveryId: string) {
  return JSON.stringify({
    id: deliveryId,
    event: e.type,
    eventId: e.id,
    createdAt: new Date(e.createdAt).toISOString(),
    inboxId: e.inboxId,
    conversationId: e.conversationId,
    data: e.payload,
  });
}

/**
 * One delivery row per active webhook whose filter matches. A single INSERT … SELECT so the
 * rows exist as soon as the event is published; UNIQUE(webhook_id, event_id) keeps it once.
 */
export async function enqueueDeliveries(deps: Deps, e: ParleyEvent): Promise<number> {
  const hooks = await deps.store.all<{ id: string }>(
    `SELECT w.id FROM outgoing_webhooks w WHERE w.active = 1 AND EXISTS (SELECT 1 FROM json_each(w.events) j
       WHERE j.value = '*' OR j.value = ?1 OR (j.value LIKE '%.*' AND substr(?1, 1, length(j.value) - 1) = substr(j.value, 1, length(j.value) - 1)))`,
    [e.type],
  );
  if (hooks.length === 0) return 0;
  const now = e.createdAt;
  const stmts = hooks.map((h) => {
    const id = newId();
    return {
      sql: `INSERT INTO webhook_deliveries(id, webhook_id, event_id, event_type, body, status, attempts, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT(webhook_id, event_id) DO NOTHING`,
      params: [id, h.id, e.id, e.type, eventBody(e, id), now, now],
    };
  });
  await deps.store.atomically(stmts);
  return hooks.length;
}

export async function signature(secret: string, timestamp: string, body: string): Promise<string> {
  return `sha256=${toHex(await hmacSha256(secret, `${timestamp}.${body}`))}`;
}

export interface DeliveryReport { claimed: number; delivered: number; retrying: number; failed: number }

/** Sends every due delivery (claimed with a lock so two workers never send the same attempt). */
export async function deliverDueWebhooks(deps: Deps, opts: { limit?: number } = {}): Promise<DeliveryReport> {
  const now = deps.clock.now();
  const token = newId();
  const claimed = await deps.store.all<WebhookDeliveryRow>(
    `UPDATE webhook_deliveries SET status = 'delivering', lock_token = ?1, locked_until = ?2
     WHERE id IN (SELECT id FROM webhook_deliveries WHERE (status = 'pending' AND next_attempt_at <= ?3)
                    OR (status = 'delivering' AND locked_until < ?3) ORDER BY next_attempt_at LIMIT ?4)
     RETURNING *`,
    [token, now + LOCK_MS, now, opts.limit ?? 50],
  );
  const report: DeliveryReport = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  const hooks = new Map<string, Promise<{ url: string; secret: string } | undefined>>();
  const hookOf = (id: string) => {
    if (!hooks.has(id)) {
      hooks.set(id, deps.store.get<{ url: string; secret: string }>('SELECT url, secret FROM outgoing_webhooks WHERE id = ?', [id])
        .then(async (h) => h && { url: h.url, secret: await deps.secrets.open(h.secret) }));
    }
    return hooks.get(id)!;
  };
  // A few at a time, so one slow endpoint does not hold up everyone else's deliveries.
  let next = 0;
  const worker = async () => {
    while (next < claimed.length) {
      const d = claimed[next++];
      const hook = await hookOf(d.webhook_id);
      if (!hook) continue; // deleted meanwhile: its rows went with it
      const outcome = await attempt(deps, hook, d);
      const attempts = d.attempts + 1;
      const at = deps.clock.now();
      if (outcome.ok) {
        await deps.store.run(`UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, last_status_code = ?, last_error = NULL, last_attempt_at = ?,
            delivered_at = ?, lock_token = NULL, locked_until = NULL WHERE id = ? AND lock_token = ?`, [attempts, outcome.status, at, at, d.id, token]);
        report.delivered++;
      } else if (attempts >= MAX_ATTEMPTS || outcome.permanent) {
        await deps.store.run(`UPDATE webhook_deliveries SET status = 'failed', attempts = ?, last_status_code = ?, last_error = ?, last_attempt_at = ?,
            lock_token = NULL, locked_until = NULL WHERE id = ? AND lock_token = ?`, [attempts, outcome.status ?? null, outcome.error, at, d.id, token]);
        report.failed++;
      } else {
        const delay = Math.min(MAX_BACKOFF_MS, Math.max(backoffMs(attempts), outcome.retryAfterMs ?? 0));
        await deps.store.run(`UPDATE webhook_deliveries SET status = 'pending', attempts = ?, last_status_code = ?, last_error = ?, last_attempt_at = ?,
            next_attempt_at = ?, lock_token = NULL, locked_until = NULL WHERE id = ? AND lock_token = ?`,
        [attempts, outcome.status ?? null, outcome.error, at, at + delay, d.id, token]);
        report.retrying++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, claimed.length) }, worker));
  if (report.claimed) deps.log.debug({ ...report }, 'webhook deliveries');
  return report;
}

type Outcome = { ok: true; status: number } | { ok: false; status?: number; error: string; retryAfterMs?: number; permanent?: boolean };

async function attempt(deps: Deps, hook: { url: string; secret: string }, d: Pick<WebhookDeliveryRow, 'id' | 'event_type' | 'body'>): Promise<Outcome> {
  const body = d.body;
  const timestamp = String(Math.floor(deps.clock.now() / 1000));
  try {
    const res = await deps.httpFetch(hook.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Parley-Webhooks/1',
        'x-parley-delivery': d.id,
        'x-parley-event': d.event_type,
        'x-parley-timestamp': timestamp,
        'x-parley-signature': await signature(hook.secret, timestamp, body),
      },
      body,
    });
    // The receiver's body is never read nor stored: a status line is all a delivery log keeps.
    res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), deps.clock.now());
    return {
      ok: false, status: res.status,
      error: `HTTP ${res.status}${res.statusText ? ` ${res.statusText.slice(0, 100)}` : ''}`,
      retryAfterMs,
    };
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
    // The network guard refused the address (private, loopback, metadata): retrying cannot help.
    const refused = e.code === 'EPRIVATENETWORK' ? e.message : e.cause?.code === 'EPRIVATENETWORK' ? e.cause.message : null;
    if (refused) return { ok: false, error: refused!.slice(0, MAX_ERROR_CHARS), permanent: true };
    const detail = e.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : e.cause?.code ?? e.cause?.message ?? e.message;
    return { ok: false, error: `network: ${String(detail).slice(0, MAX_ERROR_CHARS)}` };
  }
}
