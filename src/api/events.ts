import { canSeeAll } from '../domain/actor.js';
import { streamEvents } from '../events/sse.js';
import { router } from './env.js';

// Agents' live feed. Membership is re-read at most every few seconds so a new member
// starts seeing an inbox without reconnecting.
export const eventRoutes = () => {
  const app = router();
  app.get('/events', (c) => {
    const { deps, actor } = c.var;
    let inboxes: Set<string> | null = null;
    let loadedAt = 0;
    const allow = async (e: { inboxId: string | null; userId: string | null }) => {
      if (e.userId && e.userId !== actor.id) return false;
      if (canSeeAll(actor) || !e.inboxId) return true;
      if (!inboxes || deps.clock.now() - loadedAt > 5_000) {
        const rows = await deps.store.all<{ inbox_id: string }>('SELECT inbox_id FROM inbox_members WHERE user_id = ?', [actor.id]);
        inboxes = new Set(rows.map((r) => r.inbox_id));
        loadedAt = deps.clock.now();
      }
      return inboxes.has(e.inboxId);
    };
    const last = Number(c.req.header('last-event-id') ?? c.req.query('lastEventId') ?? 0);
    return streamEvents(c, deps, allow, { lastEventId: Number.isFinite(last) ? last : 0 });
  });
  return app;
};
