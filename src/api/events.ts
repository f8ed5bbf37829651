import { canSeeAll, type Actor } from '../domain/core/actor.js';
import type { ParleyEvent } from '../domain/events/bus.js';
import { liveStreams } from '../domain/events/live.js';
import { memberships, type Memberships } from '../domain/events/memberships.js';
import { streamEvents } from './sse.js';
import { clientAddress } from './client-address.js';
import { dropConnection } from './connection.js';
import { router } from './env.js';

/**
 * What an agent may see: events of his inboxes; events of no inbox (a contact changed, a
 * teammate's availability) only when their audience names one of his inboxes; with neither,
 * managers only. Admins and leads see every inbox.
 */
export function agentMaySee(actor: Actor, m: Memberships, e: ParleyEvent): boolean {
  if (e.userId && e.userId !== actor.id) return false;
  if (canSeeAll(actor)) return true;
  if (e.inboxId) return m.has(actor.id, e.inboxId);
  return !!e.audience && m.hasAny(actor.id, e.audience);
}

// Agents' live feed.
export const eventRoutes = () => {
  const app = router();
  app.get('/events', async (c) => {
    const { deps, actor } = c.var;
    const limits = liveStreams(deps).limits;
    const m = memberships(deps.store);
    const release = await m.track(actor.id);
    const last = Number(c.req.header('last-event-id') ?? c.req.query('lastEventId') ?? 0);
    try {
      // A change of this agent's memberships: reload them now, from this stream (its request).
      const accepts = (e: ParleyEvent) => {
        const userIds = e.payload.userIds;
        if (e.type === 'inbox.members_changed' && Array.isArray(userIds) && userIds.includes(actor.id)) {
          m.reload([actor.id]).catch((err: Error) => deps.log.warn({ userId: actor.id, err: err.message }, 'memberships reload failed'));
        }
        return agentMaySee(actor, m, e);
      };
      return streamEvents(c, deps, accepts, {
        lastEventId: Number.isFinite(last) ? last : 0,
        caps: [{ key: `user:${actor.id}`, max: limits.perUser }, { key: `addr:${clientAddress(c, deps)}`, max: limits.perAddress }],
        drop: () => dropConnection(c),
        onClose: release,
      });
    } catch (err) {
      release();
      throw err;
    }
  });
  return app;
};
