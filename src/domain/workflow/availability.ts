// Agent availability: online agents take automatically assigned work; busy and offline ones
// keep what they have but get nothing new. Coming online picks up waiting conversations.
import { emitEvents } from '../events/emit.js';
import { requireRole, type Actor } from '../core/actor.js';
import { drainForUser, type Assigned } from './assignment.js';
import type { Deps } from '../deps.js';
import { notFound } from '../core/errors.js';
import type { Row } from '../core/store.js';

export const AVAILABILITIES = ['online', 'busy', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

/** Sets a user's availability (their own; admins and leads may set anyone's). */
export async function setAvailability(deps: Deps, actor: Actor, userId: string, availability: Availability): Promise<{ user: Row; assigned: Assigned[] }> {
  if (userId !== actor.id) requireRole(actor, 'admin', 'lead');
  const before = await deps.store.get<{ availability: string }>('SELECT availability FROM users WHERE id = ?', [userId]);
  if (!before) throw notFound('User');
  const [user] = await deps.store.all('UPDATE users SET availability = ? WHERE id = ? RETURNING *', [availability, userId]);
  if (!user) throw notFound('User');
  if (before.availability !== availability) {
    // Teammates (members of one of the user's inboxes) and managers hear of it, nobody else.
    const inboxes = await deps.store.all<{ inbox_id: string }>('SELECT inbox_id FROM inbox_members WHERE user_id = ?', [userId]);
    await emitEvents(deps, [{ type: 'agent.availability', audience: inboxes.map((r) => r.inbox_id), payload: { userId, availability, previous: before.availability, by: actor.id } }]);
  }
  // Also on a repeated "online": it is the agent saying "give me work" (e.g. after a restart).
  const assigned = availability === 'online' ? await drainForUser(deps, userId) : [];
  return { user, assigned };
}
