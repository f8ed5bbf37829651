// Reports over a time range [from, to): per inbox, per agent (current assignee) and in total.
// - conversationsOpened: conversations created in the range.
// - conversationsResolved: conversations whose (latest) resolution falls in the range and
//   that are still resolved.
// - firstReplyMinutes: created -> first human reply (bot answers do not count), for
//   conversations opened in the range that got one.
// - resolutionMinutes: created -> resolved, for conversations resolved in the range.
// - slaBreaches / csat*: stored domain events 'sla.breached' and 'csat.received' {rating}
//   created in the range, attributed through their conversation.
// Median and p90 use linear interpolation between closest ranks (numpy's default).
import { requireRole, type Actor } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import type { ConversationRow, EventRow, InboxRow, UserRow } from '../core/rows.js';
import { jsonObject } from '../core/json-text.js';

/** Who a figure counts for: the conversation's inbox and current assignee. */
type Owners = Pick<ConversationRow, 'assignee_id'> & { inbox_id: string | null };

export interface ReportQuery { from: number; to: number; inboxId?: string; agentId?: string; teamId?: string }

export interface Figures {
  conversationsOpened: number;
  conversationsResolved: number;
  firstReplyMinutes: { median: number | null; p90: number | null };
  resolutionMinutes: { median: number | null; p90: number | null };
  slaBreaches: number;
  csatAverage: number | null;
  csatResponses: number;
}

export interface Summary extends Figures {
  from: string;
  to: string;
  filters: { inboxId: string | null; agentId: string | null; teamId: string | null };
  byInbox: (Figures & { inboxId: string; name: string | null; channel: string | null })[];
  byAgent: (Figures & { agentId: string; name: string | null })[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Linear interpolation between closest ranks; null for no data. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return round2(v[lo] + (v[hi] - v[lo]) * (pos - lo));
}

/** Parses the range: ISO date or date-time; a date-only `to` includes that whole day. Default: the last 7 days. */
export function parseRange(now: number, from?: string, to?: string): { from: number; to: number } {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
  const parse = (s: string, field: string) => {
    const ms = Date.parse(dateOnly.test(s) ? `${s}T00:00:00Z` : s);
    if (!Number.isFinite(ms)) throw new AppError(400, 'invalid_request', `${field}: not an ISO date or date-time`);
    return ms;
  };
  const end = to ? parse(to, 'to') + (dateOnly.test(to) ? 86_400_000 : 0) : now;
  const start = from ? parse(from, 'from') : end - 7 * 86_400_000;
  if (start >= end) throw new AppError(400, 'invalid_request', 'from must be before to');
  if (end - start > 3 * 366 * 86_400_000) throw new AppError(400, 'invalid_request', 'The range may span at most three years');
  return { from: start, to: end };
}

interface Acc { opened: number; resolved: number; firstReply: number[]; resolution: number[]; breaches: number; ratings: number[] }
const acc = (): Acc => ({ opened: 0, resolved: 0, firstReply: [], resolution: [], breaches: 0, ratings: [] });
const figures = (a: Acc): Figures => ({
  conversationsOpened: a.opened,
  conversationsResolved: a.resolved,
  firstReplyMinutes: { median: percentile(a.firstReply, 0.5), p90: percentile(a.firstReply, 0.9) },
  resolutionMinutes: { median: percentile(a.resolution, 0.5), p90: percentile(a.resolution, 0.9) },
  slaBreaches: a.breaches,
  csatAverage: a.ratings.length ? round2(a.ratings.reduce((s, x) => s + x, 0) / a.ratings.length) : null,
  csatResponses: a.ratings.length,
});

export async function reportSummary(deps: Deps, actor: Actor, q: ReportQuery): Promise<Summary> {
  requireRole(actor, 'admin', 'lead');
  const cond: string[] = [];
  const params: unknown[] = [];
  if (q.inboxId) { cond.push('c.inbox_id = ?'); params.push(q.inboxId); }
  if (q.agentId) { cond.push('c.assignee_id = ?'); params.push(q.agentId); }
  if (q.teamId) { cond.push('c.team_id = ?'); params.push(q.teamId); }
  const filter = cond.length ? ` AND ${cond.join(' AND ')}` : '';

  const opened = await deps.store.all<Pick<ConversationRow, 'inbox_id' | 'assignee_id' | 'created_at' | 'first_reply_at'>>(
    `SELECT c.inbox_id, c.assignee_id, c.created_at, c.first_reply_at FROM conversations c
     WHERE c.created_at >= ? AND c.created_at < ?${filter}`, [q.from, q.to, ...params]);
  const resolved = await deps.store.all<Pick<ConversationRow, 'inbox_id' | 'assignee_id' | 'created_at' | 'resolved_at'>>(
    `SELECT c.inbox_id, c.assignee_id, c.created_at, c.resolved_at FROM conversations c
     WHERE c.status = 'resolved' AND c.resolved_at >= ? AND c.resolved_at < ?${filter}`, [q.from, q.to, ...params]);
  const events = await deps.store.all<Pick<EventRow, 'type' | 'payload'> & Owners>(
    `SELECT e.type, e.payload, coalesce(c.inbox_id, e.inbox_id) AS inbox_id, c.assignee_id FROM events e
     LEFT JOIN conversations c ON c.id = e.conversation_id
     WHERE e.type IN ('sla.breached', 'csat.received') AND e.created_at >= ? AND e.created_at < ?${filter}`, [q.from, q.to, ...params]);

  const total = acc();
  const inboxes = new Map<string, Acc>();
  const agents = new Map<string, Acc>();
  const buckets = (r: Owners): Acc[] => {
    const out = [total];
    const inbox = r.inbox_id;
    if (inbox) { if (!inboxes.has(inbox)) inboxes.set(inbox, acc()); out.push(inboxes.get(inbox)!); }
    const agent = r.assignee_id;
    if (agent) { if (!agents.has(agent)) agents.set(agent, acc()); out.push(agents.get(agent)!); }
    return out;
  };
  for (const r of opened) {
    const fr = r.first_reply_at == null ? null : Math.max(0, r.first_reply_at - r.created_at) / 60_000;
    for (const a of buckets(r)) { a.opened++; if (fr != null) a.firstReply.push(fr); }
  }
  for (const r of resolved) {
    if (r.resolved_at == null) continue; // the WHERE leaves none out; this tells the type so
    const mins = Math.max(0, r.resolved_at - r.created_at) / 60_000;
    for (const a of buckets(r)) { a.resolved++; a.resolution.push(mins); }
  }
  for (const r of events) {
    let payload: Record<string, unknown> = {};
    try { payload = jsonObject(r.payload); } catch { /* ignore malformed */ }
    if (r.type === 'sla.breached') for (const a of buckets(r)) a.breaches++;
    else {
      const rating = Number(payload.rating);
      if (Number.isFinite(rating) && rating >= 1 && rating <= 5) for (const a of buckets(r)) a.ratings.push(rating);
    }
  }

  const inboxIds = [...inboxes.keys()];
  const agentIds = [...agents.keys()];
  const inboxRows = inboxIds.length ? await deps.store.all<Pick<InboxRow, 'id' | 'name' | 'channel'>>('SELECT id, name, channel FROM inboxes WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(inboxIds)]) : [];
  const userRows = agentIds.length ? await deps.store.all<Pick<UserRow, 'id' | 'name'>>('SELECT id, name FROM users WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(agentIds)]) : [];
  const inboxInfo = new Map(inboxRows.map((r) => [r.id, r]));
  const userName = new Map(userRows.map((r) => [r.id, r.name]));

  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    filters: { inboxId: q.inboxId ?? null, agentId: q.agentId ?? null, teamId: q.teamId ?? null },
    ...figures(total),
    byInbox: inboxIds.map((id) => ({ inboxId: id, name: inboxInfo.get(id)?.name ?? null, channel: inboxInfo.get(id)?.channel ?? null, ...figures(inboxes.get(id)!) }))
      .sort((a, b) => b.conversationsOpened - a.conversationsOpened || a.inboxId.localeCompare(b.inboxId)),
    byAgent: agentIds.map((id) => ({ agentId: id, name: userName.get(id) ?? null, ...figures(agents.get(id)!) }))
      .sort((a, b) => b.conversationsOpened - a.conversationsOpened || a.agentId.localeCompare(b.agentId)),
  };
}

export const CSV_COLUMNS = ['scope', 'id', 'name', 'conversationsOpened', 'conversationsResolved', 'firstReplyMedianMinutes', 'firstReplyP90Minutes',
  'resolutionMedianMinutes', 'resolutionP90Minutes', 'slaBreaches', 'csatAverage', 'csatResponses'] as const;

/** One cell: quoted when needed; text that a spreadsheet would run as a formula is defused. */
export function csvCell(v: unknown): string {
  if (v == null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function summaryCsv(s: Summary): string {
  const row = (scope: string, id: string, name: string | null, f: Figures) => [scope, id, name, f.conversationsOpened, f.conversationsResolved,
    f.firstReplyMinutes.median, f.firstReplyMinutes.p90, f.resolutionMinutes.median, f.resolutionMinutes.p90, f.slaBreaches, f.csatAverage, f.csatResponses];
  const lines = [
    [...CSV_COLUMNS],
    row('total', '', `${s.from}/${s.to}`, s),
    ...s.byInbox.map((i) => row('inbox', i.inboxId, i.name, i)),
    ...s.byAgent.map((a) => row('agent', a.agentId, a.name, a)),
  ];
  return lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
