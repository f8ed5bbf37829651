// SLA per inbox (settings.sla = {firstReplyMinutes, nextReplyMinutes, warnAtPercent = 80}),
// measured in the inbox's business hours. A scheduled job keeps one open clock per waiting
// conversation in sla_clocks and raises 'sla.warning' / 'sla.breached' once per clock:
// transitions are claimed with UPDATE ... WHERE <not yet> RETURNING, so two runs (or two
// processes) never emit twice.
import { z } from 'zod';
import { emitEvents, type EventDraft } from '../events/emit.js';
import { calendarFromSettings } from './business-hours.js';
import type { Deps } from '../deps.js';
import { raw, type Row } from '../core/store.js';
import type { ConversationRow, InboxRow } from '../core/rows.js';
import { jsonObject } from '../core/json-text.js';
import { numberOf, textOf } from '../core/returned.js';
import { registerInboxSettings } from '../inboxes/inbox-settings.js';

/** A waiting conversation without a clock (NEEDS_CLOCK's columns). */
type NeedsClockRow = Pick<ConversationRow, 'id' | 'inbox_id' | 'first_reply_at' | 'waiting_since'> & Pick<InboxRow, 'settings'> & { first_in: number | null };

export const slaSettingsSchema = z.object({
  firstReplyMinutes: z.number().positive().optional(),
  nextReplyMinutes: z.number().positive().optional(),
  warnAtPercent: z.number().min(1).max(100).default(80),
});
registerInboxSettings('sla', slaSettingsSchema);

export type SlaKind = 'first_reply' | 'next_reply';
export interface SlaReport { opened: number; closed: number; warned: number; breached: number }

/** Far future, for a schedule that never opens (the clock never runs out). */
const NEVER = Number.MAX_SAFE_INTEGER;
const BATCH = 500;

// A clock stays open while its conversation is still waiting on us for the same thing.
const CLOSE_STALE = `UPDATE sla_clocks SET closed_at = ?1 WHERE closed_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM conversations c WHERE c.id = sla_clocks.conversation_id AND c.status IN ('open', 'pending') AND c.waiting_since IS NOT NULL
      AND ((sla_clocks.kind = 'first_reply' AND c.first_reply_at IS NULL)
        OR (sla_clocks.kind = 'next_reply' AND c.first_reply_at IS NOT NULL AND c.waiting_since = sla_clocks.started_at)))
  RETURNING conversation_id`;

const NEEDS_CLOCK = `SELECT c.id, c.inbox_id, c.first_reply_at, c.waiting_since, i.settings,
    (SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.private = 0) AS first_in
  FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
  WHERE c.status IN ('open', 'pending') AND c.waiting_since IS NOT NULL
    AND ((c.first_reply_at IS NULL AND json_extract(i.settings, '$.sla.firstReplyMinutes') > 0)
      OR (c.first_reply_at IS NOT NULL AND json_extract(i.settings, '$.sla.nextReplyMinutes') > 0))
    AND NOT EXISTS (SELECT 1 FROM sla_clocks s WHERE s.conversation_id = c.id AND s.closed_at IS NULL)
  LIMIT ${BATCH}`;

// The same wait resuming (woken from snooze) reopens its clock, keeping what was already raised.
const OPEN_CLOCK = `INSERT INTO sla_clocks(conversation_id, kind, started_at, warn_at, due_at, state, inbox_id, created_at)
  VALUES (?1, ?2, ?3, ?4, ?5, 'ok', ?6, ?7)
  ON CONFLICT(conversation_id, kind, started_at) DO UPDATE SET closed_at = NULL`;

const WARN = `UPDATE sla_clocks SET state = 'warning', warned_at = ?1, notified_at = ?1
  WHERE closed_at IS NULL AND warned_at IS NULL AND breached_at IS NULL AND warn_at <= ?1 AND due_at > ?1 RETURNING *`;
const BREACH = `UPDATE sla_clocks SET state = 'breached', breached_at = ?1, notified_at = ?1
  WHERE closed_at IS NULL AND breached_at IS NULL AND due_at <= ?1 RETURNING *`;

/** Where the clock starts and how long it runs, for a waiting conversation; null when no target applies. */
export function clockFor(settings: Record<string, unknown>, conv: { first_reply_at: unknown; waiting_since: unknown; first_in: unknown }) {
  const parsed = slaSettingsSchema.safeParse(settings.sla ?? {});
  if (!parsed.success) return null;
  const sla = parsed.data;
  const kind: SlaKind = conv.first_reply_at == null ? 'first_reply' : 'next_reply';
  const minutes = kind === 'first_reply' ? sla.firstReplyMinutes : sla.nextReplyMinutes;
  if (!minutes) return null;
  const startedAt = Number(kind === 'first_reply' ? conv.first_in ?? conv.waiting_since : conv.waiting_since);
  const cal = calendarFromSettings(settings);
  const target = minutes * 60_000;
  const fin = (t: number) => (Number.isFinite(t) ? t : NEVER);
  return {
    kind, startedAt,
    warnAt: fin(cal.addBusinessMs(startedAt, Math.round(target * sla.warnAtPercent / 100))),
    dueAt: fin(cal.addBusinessMs(startedAt, target)),
  };
}

/** The scheduled job: close answered clocks, open new ones, raise warnings and breaches. */
export async function checkSla(deps: Deps): Promise<SlaReport> {
  const now = deps.clock.now();
  const [closed] = await deps.store.atomically([raw(CLOSE_STALE, now)]);
  let opened = 0;
  for (;;) {
    const rows = await deps.store.all<NeedsClockRow>(NEEDS_CLOCK);
    const stmts = [];
    for (const r of rows) {
      const clock = clockFor(jsonObject(r.settings), r);
      if (!clock) continue;
      stmts.push(raw(OPEN_CLOCK, r.id, clock.kind, clock.startedAt, clock.warnAt, clock.dueAt, r.inbox_id, now));
    }
    if (stmts.length) await deps.store.atomically(stmts);
    opened += stmts.length;
    if (rows.length < BATCH || stmts.length === 0) break;
  }
  const [breached] = await deps.store.atomically([raw(BREACH, now)]);
  const [warned] = await deps.store.atomically([raw(WARN, now)]);
  const drafts: EventDraft[] = [
    ...warned.map((r) => slaEvent('sla.warning', r)),
    ...breached.map((r) => slaEvent('sla.breached', r)),
  ];
  await emitEvents(deps, drafts);
  if (drafts.length) deps.log.info({ warned: warned.length, breached: breached.length }, 'sla events raised');
  return { opened, closed: closed.length, warned: warned.length, breached: breached.length };
}

/** An event for a clock row (RETURNING * of WARN or BREACH: untyped, so its columns are checked). */
function slaEvent(type: string, r: Row): EventDraft {
  const conversationId = textOf(r, 'conversation_id');
  return {
    type, inboxId: textOf(r, 'inbox_id'), conversationId,
    payload: { conversationId, kind: r.kind, dueAt: new Date(numberOf(r, 'due_at')).toISOString(), startedAt: new Date(numberOf(r, 'started_at')).toISOString() },
  };
}

/** ?sla=breached|warning on the conversation list: the conversation's open clock is in that state. */
export function slaListFilter(state: string | undefined): { sql: string; params: unknown[] } | null {
  if (state !== 'breached' && state !== 'warning') return null;
  return { sql: 'EXISTS (SELECT 1 FROM sla_clocks s WHERE s.conversation_id = c.id AND s.closed_at IS NULL AND s.state = ?)', params: [state] };
}
