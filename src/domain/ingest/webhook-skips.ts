// What validly signed webhooks carried that Parley could not use, per inbox and type (kept by
// ingest, see ingest-updates.ts). Shown to admins on the inbox so an unknown platform event is
// seen, not silently lost.
import type { Actor } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { isoString } from '../core/views.js';

export interface WebhookSkip { type: string; count: number; lastReason: string | null; lastAt: string }

/** Per inbox id, for admins only (others get an empty map). */
export async function webhookSkipsFor(deps: Deps, actor: Actor, inboxIds: string[]): Promise<Map<string, WebhookSkip[]>> {
  const out = new Map<string, WebhookSkip[]>();
  if (actor.role !== 'admin' || inboxIds.length === 0) return out;
  const rows = await deps.store.all<{ inbox_id: string; type: string; count: number; last_reason: string | null; last_at: number }>(
    'SELECT inbox_id, type, count, last_reason, last_at FROM webhook_skips WHERE inbox_id IN (SELECT value FROM json_each(?)) ORDER BY inbox_id, last_at DESC, type',
    [JSON.stringify(inboxIds)]);
  for (const r of rows) {
    let list = out.get(r.inbox_id);
    if (!list) out.set(r.inbox_id, list = []);
    list.push({ type: r.type, count: r.count, lastReason: r.last_reason, lastAt: isoString(r.last_at) });
  }
  return out;
}
