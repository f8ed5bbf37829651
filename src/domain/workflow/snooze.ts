// Snoozed conversations come back on their own: the scheduler reopens those whose
// snooze_until has passed (ingest already reopens one when the customer writes again).
import { conversationChanged } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';

const BATCH = 500;

/** Reopens every snoozed conversation due by clock.now(); returns their ids. */
export async function wakeSnoozed(deps: Deps): Promise<{ woken: string[] }> {
  const now = deps.clock.now();
  const woken: string[] = [];
  for (;;) {
    // Conditional on still being snoozed, so a conversation woken twice (two processes) is reported once.
    const rows = await deps.store.all<{ id: string }>(
      `UPDATE conversations SET status = 'open', snooze_until = NULL
       WHERE id IN (SELECT id FROM conversations WHERE status = 'snoozed' AND snooze_until <= ? LIMIT ?) AND status = 'snoozed'
       RETURNING id`,
      [now, BATCH],
    );
    for (const r of rows) {
      woken.push(r.id);
      await conversationChanged(deps, r.id, { status: 'open', by: null, reason: 'snooze_expired' });
    }
    if (rows.length < BATCH) break;
  }
  return { woken };
}
