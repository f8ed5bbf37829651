// Automatic assignment per inbox (inbox settings key `autoAssign: {enabled, maxOpenPerAgent}`):
// round-robin among the inbox's members who are online, skipping anyone at capacity (their
// open + pending conversations in that inbox >= maxOpenPerAgent).
//
// Correctness lives in SQL, not in memory:
// - the rotation pointer (last user assigned per inbox) is a row in `assignment_pointers`,
//   so the order continues across restarts and across processes sharing the store;
// - one assignment is one atomic unit: a conditional UPDATE that only matches while the
//   conversation is still open and unassigned, the agent still online, a member and under
//   capacity, and the pointer still where we read it; the pointer moves in the same unit
//   only when that UPDATE changed a row. Two triggers racing can therefore never
//   double-assign, overfill an agent, or skip someone's turn; the loser just re-reads.
// The in-memory lanes below only coalesce concurrent drains of one inbox to avoid wasted
// retries; they are not needed for correctness.
import { conversationChanged } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { inboxSettings } from '../inboxes/inboxes.js';
import { raw } from '../core/store.js';
import { z } from 'zod';
import { registerInboxSettings } from '../inboxes/inbox-settings.js';

export const autoAssignSettingsSchema = z.object({
  enabled: z.boolean(),
  maxOpenPerAgent: z.number().int().min(1).max(10_000).nullable().optional(),
});
registerInboxSettings('autoAssign', autoAssignSettingsSchema);

export interface AutoAssignConfig { enabled: boolean; maxOpenPerAgent: number | null }

/** The autoAssign settings of an inbox, read leniently (bad values mean "off" / "no limit"). */
export function autoAssignConfig(settings: Record<string, unknown>): AutoAssignConfig {
  const a = settings.autoAssign as Record<string, unknown> | undefined;
  if (!a || typeof a !== 'object') return { enabled: false, maxOpenPerAgent: null };
  const max = a.maxOpenPerAgent;
  return {
    enabled: a.enabled === true,
    maxOpenPerAgent: typeof max === 'number' && Number.isFinite(max) && max >= 0 ? Math.floor(max) : null,
  };
}

const NO_LIMIT = 2 ** 31;
const BATCH = 50;
// Conversations that count against an agent's capacity. `+x.inbox_id` keeps SQLite on the
// assignee index (an agent's few conversations) rather than scanning the inbox's open ones.
const LOAD = `(SELECT count(*) FROM conversations x WHERE +x.inbox_id = ?1 AND x.assignee_id = u.id AND x.status IN ('open', 'pending'))`;

interface Candidate { id: string; load: number }

/** Online members of the inbox (restricted to a team when given), in rotation order, with their load. */
async function candidates(deps: Deps, inboxId: string, teamId: string | null): Promise<Candidate[]> {
  return deps.store.all<Candidate>(
    `SELECT u.id AS id, ${LOAD} AS load FROM inbox_members m JOIN users u ON u.id = m.user_id
     WHERE m.inbox_id = ?1 AND u.availability = 'online' AND u.disabled_at IS NULL
       AND (?2 IS NULL OR EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = ?2 AND tm.user_id = u.id))
     ORDER BY u.id`,
    [inboxId, teamId],
  );
}

/** The next agent after `last` in rotation order among those under capacity (wrapping around). */
export function pickNext(cands: Candidate[], last: string | null, max: number | null): string | null {
  const eligible = cands.filter((c) => c.load < (max ?? NO_LIMIT));
  if (eligible.length === 0) return null;
  return (last ? eligible.find((c) => c.id > last) : undefined)?.id ?? eligible[0].id;
}

const ASSIGN = `UPDATE conversations SET assignee_id = ?1
  WHERE id = ?2 AND assignee_id IS NULL AND status = 'open'
    AND EXISTS (SELECT 1 FROM users u JOIN inbox_members m ON m.user_id = u.id AND m.inbox_id = ?3 WHERE u.id = ?1 AND u.availability = 'online' AND u.disabled_at IS NULL)
    AND (team_id IS NULL OR EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = conversations.team_id AND tm.user_id = ?1))
    AND (SELECT count(*) FROM conversations x WHERE +x.inbox_id = ?3 AND x.assignee_id = ?1 AND x.status IN ('open', 'pending')) < ?4
    AND coalesce((SELECT last_user_id FROM assignment_pointers WHERE inbox_id = ?3), '') = ?5
  RETURNING id`;
const MOVE_POINTER = `INSERT INTO assignment_pointers(inbox_id, last_user_id, updated_at) SELECT ?1, ?2, ?3 WHERE changes() > 0
  ON CONFLICT(inbox_id) DO UPDATE SET last_user_id = excluded.last_user_id, updated_at = excluded.updated_at`;

type AssignOutcome = { assigneeId: string } | 'nobody' | 'gone';

/** Assigns one conversation to the next agent in turn. */
async function assignOne(deps: Deps, inboxId: string, conv: { id: string; team_id: string | null }, cfg: AutoAssignConfig, avoid?: Avoid): Promise<AssignOutcome> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pointer = await deps.store.get<{ last_user_id: string | null }>('SELECT last_user_id FROM assignment_pointers WHERE inbox_id = ?', [inboxId]);
    const last = pointer?.last_user_id ?? null;
    let cands = await candidates(deps, inboxId, conv.team_id);
    if (avoid && avoid.conversationId === conv.id) cands = cands.filter((c) => c.id !== avoid.userId);
    const pick = pickNext(cands, last, cfg.maxOpenPerAgent);
    if (!pick) return 'nobody';
    const [updated] = await deps.store.atomically([
      raw(ASSIGN, pick, conv.id, inboxId, cfg.maxOpenPerAgent ?? NO_LIMIT, last ?? ''),
      raw(MOVE_POINTER, inboxId, pick, deps.clock.now()),
    ]);
    if (updated.length === 1) {
      await conversationChanged(deps, conv.id, { assigneeId: pick, by: null, auto: true, rule: 'round_robin' });
      return { assigneeId: pick };
    }
    // Lost a race: someone took the conversation, or the pointer/availability/load moved.
    const now = await deps.store.get<{ assignee_id: string | null; status: string; team_id: string | null }>(
      'SELECT assignee_id, status, team_id FROM conversations WHERE id = ?', [conv.id]);
    if (!now || now.assignee_id !== null || now.status !== 'open') return 'gone';
    conv = { id: conv.id, team_id: now.team_id };
  }
  deps.log.warn({ inboxId, conversationId: conv.id }, 'auto-assign gave up after repeated contention');
  return 'nobody';
}

export interface Assigned { conversationId: string; assigneeId: string }
/** An agent who just handed a conversation back is not given that same conversation again by the drain it triggers. */
export interface Avoid { conversationId: string; userId: string }

/**
 * Assigns the inbox's unassigned open conversations, oldest waiting first, while anyone online
 * has capacity. Called on new/reopened conversations and whenever capacity may have freed.
 */
export async function drainInbox(deps: Deps, inboxId: string, avoid?: Avoid): Promise<Assigned[]> {
  const cfg = autoAssignConfig(await inboxSettings(deps, inboxId));
  if (!cfg.enabled) return [];
  const assigned: Assigned[] = [];
  const skip: string[] = []; // conversations nobody allowed can take right now (team, hand-back)
  for (let round = 0; round < 100; round++) {
    if (!pickNext(await candidates(deps, inboxId, null), null, cfg.maxOpenPerAgent)) break; // nobody has room
    // The backlog, oldest waiting first. `+inbox_id`: through the assignee index (the few unassigned).
    const batch = await deps.store.all<{ id: string; team_id: string | null }>(
      `SELECT id, team_id FROM conversations WHERE assignee_id IS NULL AND status = 'open' AND +inbox_id = ?
         AND id NOT IN (SELECT value FROM json_each(?))
       ORDER BY coalesce(waiting_since, created_at), id LIMIT ?`,
      [inboxId, JSON.stringify(skip), BATCH],
    );
    let full = false;
    for (const conv of batch) {
      const r = await assignOne(deps, inboxId, conv, cfg, avoid);
      if (typeof r === 'object') assigned.push({ conversationId: conv.id, assigneeId: r.assigneeId });
      else if (r === 'nobody') {
        // Nobody for a team-less conversation means nobody at all (unless someone was held back from this one).
        if (!conv.team_id && conv.id !== avoid?.conversationId) { full = true; break; }
        skip.push(conv.id);
      }
    }
    if (full || batch.length < BATCH) break;
  }
  return assigned;
}

// One drain at a time per inbox in this process; requests made while one waits share it.
interface Lane { tail: Promise<unknown>; queued: Promise<Assigned[]> | null }
const lanes = new WeakMap<object, Map<string, Lane>>();

export function requestDrain(deps: Deps, inboxId: string, avoid?: Avoid): Promise<Assigned[]> {
  let perDeps = lanes.get(deps);
  if (!perDeps) lanes.set(deps, (perDeps = new Map()));
  let lane = perDeps.get(inboxId);
  if (!lane) perDeps.set(inboxId, (lane = { tail: Promise.resolve(), queued: null }));
  if (lane.queued && !avoid) return lane.queued;
  const l = lane;
  const run = l.tail.catch(() => undefined).then(() => { if (l.queued === run) l.queued = null; return drainInbox(deps, inboxId, avoid); });
  if (!avoid) l.queued = run;
  l.tail = run;
  return run;
}

/** An agent became available: let every auto-assign inbox they belong to hand them work. */
export async function drainForUser(deps: Deps, userId: string): Promise<Assigned[]> {
  const rows = await deps.store.all<{ inbox_id: string }>('SELECT inbox_id FROM inbox_members WHERE user_id = ? ORDER BY inbox_id', [userId]);
  const out: Assigned[] = [];
  for (const r of rows) out.push(...(await requestDrain(deps, r.inbox_id)));
  return out;
}

/** Whether a bus event may call for an assignment (new, reopened, unassigned or capacity freed). */
export function assignmentTrigger(e: { type: string; inboxId: string | null; conversationId?: string | null; payload: Record<string, unknown> }): { inboxId: string; avoid?: Avoid } | null {
  if (!e.inboxId) return null;
  if (e.type === 'conversation.created') return { inboxId: e.inboxId };
  if (e.type !== 'conversation.updated') return null;
  const change = e.payload.change as Record<string, unknown> | undefined;
  if (change) {
    if (change.auto) return null; // our own assignment; the drain that made it goes on by itself
    if (!('status' in change || 'assigneeId' in change || 'teamId' in change)) return null;
    // Someone unassigned themselves: hand that conversation to somebody else if anyone can take it.
    const by = change.by;
    if (change.assigneeId === null && typeof by === 'string' && e.conversationId) return { inboxId: e.inboxId, avoid: { conversationId: e.conversationId, userId: by } };
    return { inboxId: e.inboxId };
  }
  // Ingest's touch: a customer's message, which reopens resolved/snoozed/pending conversations.
  return e.payload.assigneeId == null && e.payload.status === 'open' ? { inboxId: e.inboxId } : null;
}
