// Domain events are stored (so SSE clients can resume with Last-Event-ID and other processes
// can read them) and then published in-process.
import { raw, type Row, type Stmt, type Store } from '../core/store.js';
import type { EventBus, ParleyEvent } from './bus.js';
import { returnedEvent, storedEvent } from './stored-events.js';

export interface EventDraft {
  type: string;
  inboxId?: string | null;
  conversationId?: string | null;
  userId?: string | null;
  /** For an event of no inbox: the inboxes whose members may see it (default: managers only). */
  audience?: string[] | null;
  payload: Record<string, unknown>;
}

export async function emitEvents(deps: { store: Store; bus: EventBus; clock: { now(): number } }, drafts: EventDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  const now = deps.clock.now();
  const [rows] = await deps.store.atomically([insertEvents(drafts, now)]);
  publishStored(deps, drafts, rows, now);
}

/**
 * The statement that stores a list of events: one for the whole list (ingest emits hundreds at
 * a time). For callers that store events in their own unit (ingest), then publishStored.
 */
export function insertEvents(drafts: EventDraft[], now: number): Stmt {
  return raw(
    `INSERT INTO events(type, inbox_id, conversation_id, user_id, payload, created_at, audience)
     SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, ?2, j.value->>5 FROM json_each(?1) j ORDER BY j.key RETURNING id`,
    JSON.stringify(drafts.map((d) => [d.type, d.inboxId ?? null, d.conversationId ?? null, d.userId ?? null, JSON.stringify(d.payload),
      d.audience ? JSON.stringify(d.audience) : null])), now,
  );
}

/** Publishes stored events in-process; `rows` are insertEvents' RETURNING rows. */
export function publishStored(deps: { bus: EventBus }, drafts: EventDraft[], rows: Row[], now: number): void {
  // Ids are handed out in list order, so the i-th smallest id belongs to the i-th draft.
  const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  drafts.forEach((d, i) => {
    const e: ParleyEvent = {
      id: ids[i], type: d.type, inboxId: d.inboxId ?? null, conversationId: d.conversationId ?? null,
      userId: d.userId ?? null, audience: d.audience ?? null, payload: d.payload, createdAt: now,
    };
    deps.bus.publish(e);
  });
}

/** Publishes events as stored rows (RETURNING of an events insert), in id order. */
export function publishRows(deps: { bus: EventBus }, rows: Row[]): void {
  const events = rows.map((r) => storedEvent(returnedEvent(r)));
  events.sort((a, b) => a.id - b.id);
  for (const e of events) deps.bus.publish(e);
}
