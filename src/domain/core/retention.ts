// The events table is the SSE replay log and the outgoing webhooks' source; without pruning it
// grows by three rows per message forever. Events older than the retention age are deleted in
// small batches (short write transactions, so ingest never waits long behind one). The two
// types the reports read (SLA breaches, CSAT answers) are kept: reports cover any period.
import type { Deps } from '../deps.js';

export const DEFAULT_EVENT_RETENTION_MS = 7 * 24 * 3600_000;
const BATCH = 5_000;
const MAX_BATCHES_PER_RUN = 40;
export const KEPT_EVENT_TYPES = ['sla.breached', 'csat.received'];

export async function pruneEvents(deps: Deps, maxAgeMs = deps.eventRetentionMs ?? DEFAULT_EVENT_RETENTION_MS): Promise<number> {
  const before = deps.clock.now() - maxAgeMs;
  // The newest id old enough to go: ids grow with time, so the range below it is the batch key.
  const edge = await deps.store.get<{ id: number | null }>('SELECT max(id) AS id FROM events WHERE created_at < ?', [before]);
  if (!edge?.id) return 0;
  let pruned = 0;
  for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
    const r = await deps.store.run(
      `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id <= ? AND type NOT IN (${KEPT_EVENT_TYPES.map(() => '?').join(',')}) ORDER BY id LIMIT ?)`,
      [edge.id, ...KEPT_EVENT_TYPES, BATCH]);
    pruned += r.changes;
    if (r.changes < BATCH) break;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (pruned) deps.log.info({ pruned, olderThan: new Date(before).toISOString() }, 'events pruned');
  return pruned;
}
