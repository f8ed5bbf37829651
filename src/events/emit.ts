// Domain events are stored (so SSE clients can resume with Last-Event-ID and other processes
// can read them) and then published in-process.
import { raw, type Store } from '../domain/store.js';
import type { EventBus, ParleyEvent } from './bus.js';

export interface EventDraft {
  type: string;
  inboxId?: string | null;
  conversationId?: string | null;
  userId?: string | null;
  payload: Record<string, unknown>;
}

export async function emitEvents(deps: { store: Store; bus: EventBus; clock: { now(): number } }, drafts: EventDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  const now = deps.clock.now();
  const rows = await deps.store.atomically(drafts.map((d) => raw(
    'INSERT INTO events(type, inbox_id, conversation_id, user_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    d.type, d.inboxId ?? null, d.conversationId ?? null, d.userId ?? null, JSON.stringify(d.payload), now,
  )));
  drafts.forEach((d, i) => {
    const e: ParleyEvent = {
      id: Number(rows[i][0].id), type: d.type, inboxId: d.inboxId ?? null, conversationId: d.conversationId ?? null,
      userId: d.userId ?? null, payload: d.payload, createdAt: now,
    };
    deps.bus.publish(e);
  });
}
