// A polling inbox's backlog import (a mailbox with history on first connect, a bot back from
// an outage): messages done / total, rate and ETA for the admin page and the logs, and a pause
// switch the poll loop obeys. Tracked from the first batch that leaves more waiting until a
// batch leaves nothing; stored on the inbox row (informational: the cursor, not this, decides
// what is imported).
import type { Actor } from '../core/actor.js';
import { requireRole } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { getInboxRow, inboxView } from '../inboxes/inboxes.js';
import type { InboxRow } from '../core/rows.js';

export interface ImportProgress {
  startedAt: number;
  done: number;
  /** Messages still waiting when the platform says (IMAP); null when it cannot (Telegram, X). */
  remaining: number | null;
  /** Rate window: since the start or the last resume. */
  resumedAt: number;
  doneAtResume: number;
  paused: boolean;
  finishedAt: number | null;
  updatedAt: number;
  loggedAt?: number;
}

const LOG_EVERY_MS = 5000;

export function readProgress(r: { import_progress?: unknown }): ImportProgress | null {
  const v = r.import_progress;
  if (v == null) return null;
  try { return (typeof v === 'string' ? JSON.parse(v) : v) as ImportProgress; } catch { return null; }
}

/** The API's view: done / total, messages per second since the last resume, ETA. */
export function progressView(p: ImportProgress | null, now: number) {
  if (!p) return null;
  const seconds = Math.max(0.001, ((p.finishedAt ?? (p.paused ? p.updatedAt : now)) - p.resumedAt) / 1000);
  const rate = (p.done - p.doneAtResume) / seconds;
  const state: 'done' | 'paused' | 'running' = p.finishedAt != null ? 'done' : p.paused ? 'paused' : 'running';
  return {
    state,
    done: p.done,
    total: p.remaining == null ? null : p.done + p.remaining,
    remaining: p.remaining,
    ratePerSecond: Math.round(rate * 10) / 10,
    etaSeconds: state === 'running' && p.remaining != null && rate > 0 ? Math.ceil(p.remaining / rate) : state === 'done' ? 0 : null,
    startedAt: new Date(p.startedAt).toISOString(),
    finishedAt: p.finishedAt != null ? new Date(p.finishedAt).toISOString() : null,
  };
}

/** After each committed batch: `remaining` null = unknown but more waiting, 0 = caught up. */
export async function recordImportProgress(deps: Deps, inbox: Pick<InboxRow, 'id' | 'channel'>, batch: { done: number; remaining: number | null; /** When this batch's poll began. */ began: number }): Promise<void> {
  const now = deps.clock.now();
  const row = await deps.store.get<Pick<InboxRow, 'import_progress'>>('SELECT import_progress FROM inboxes WHERE id = ?', [inbox.id]);
  let p = row ? readProgress(row) : null;
  const active = p != null && p.finishedAt == null;
  if (!active) {
    // A single batch that catches up is ordinary polling, not an import.
    if (batch.remaining === 0) return;
    p = { startedAt: batch.began, done: 0, remaining: null, resumedAt: batch.began, doneAtResume: 0, paused: false, finishedAt: null, updatedAt: now };
  }
  p = p!;
  p.done += batch.done;
  p.remaining = batch.remaining;
  p.updatedAt = now;
  if (batch.remaining === 0) p.finishedAt = now;
  if (p.finishedAt != null || now - (p.loggedAt ?? 0) >= LOG_EVERY_MS) {
    p.loggedAt = now;
    const v = progressView(p, now)!;
    deps.log.info({ inboxId: inbox.id, channel: inbox.channel, done: v.done, total: v.total, ratePerSecond: v.ratePerSecond, etaSeconds: v.etaSeconds, state: v.state },
      p.finishedAt != null ? 'import finished' : 'import progress');
  }
  await deps.store.run('UPDATE inboxes SET import_progress = ? WHERE id = ?', [JSON.stringify(p), inbox.id]);
}

export function isPaused(r: { import_progress?: unknown }): boolean {
  const p = readProgress(r);
  return p != null && p.finishedAt == null && p.paused;
}

/** Pause or resume an import (admin). Pausing stops the inbox's polling until resumed. */
export async function setImportPaused(deps: Deps, actor: Actor, inboxId: string, paused: boolean) {
  requireRole(actor, 'admin');
  const row = await getInboxRow(deps, inboxId);
  const now = deps.clock.now();
  const p = readProgress(row) ?? { startedAt: now, done: 0, remaining: null, resumedAt: now, doneAtResume: 0, paused: false, finishedAt: null, updatedAt: now };
  if (p.finishedAt != null) {
    // Pausing a finished (or never started) import pauses what comes next.
    Object.assign(p, { startedAt: now, done: 0, remaining: null, resumedAt: now, doneAtResume: 0, finishedAt: null });
  }
  if (p.paused !== paused) {
    p.paused = paused;
    if (!paused) { p.resumedAt = now; p.doneAtResume = p.done; }
    p.updatedAt = now;
    deps.log.info({ inboxId, done: p.done, remaining: p.remaining }, paused ? 'import paused' : 'import resumed');
  }
  await deps.store.run('UPDATE inboxes SET import_progress = ?, next_poll_at = CASE WHEN ? THEN next_poll_at ELSE NULL END WHERE id = ?', [JSON.stringify(p), paused ? 1 : 0, inboxId]);
  deps.wakePoller?.(inboxId);
  return inboxView(deps, await getInboxRow(deps, inboxId));
}
