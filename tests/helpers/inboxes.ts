// Creates an inbox through the API, as an admin would: the one place tests do it.
import type { Api } from './parley.js';

export interface CreatedInbox { id: string; channel: string; webchatToken: string | null; body: any }

/** POST /api/v1/inboxes; throws with the answer unless it is 201. `settings` are PATCHed after. */
export async function createInbox(api: Api, channel: string, config: Record<string, unknown> = {}, opts: { name?: string; settings?: Record<string, unknown> } = {}): Promise<CreatedInbox> {
  const r = await api.post('/api/v1/inboxes', { name: opts.name ?? `${channel} ${Math.random()}`, channel, config });
  if (r.status !== 201) throw new Error(`create ${channel} inbox: ${r.status} ${JSON.stringify(r.body)}`);
  if (opts.settings) {
    const patched = await api.patch(`/api/v1/inboxes/${r.body.id}`, { settings: opts.settings });
    if (patched.status !== 200) throw new Error(`inbox settings: ${patched.status} ${JSON.stringify(patched.body)}`);
  }
  return { id: r.body.id as string, channel, webchatToken: (r.body.webchatToken as string | undefined) ?? null, body: r.body };
}

type User = { id: string; token: string; email: string };

/**
 * Two web chat inboxes, A and B, each with its own agent as member, and a lead: the actors whose
 * views the scoping tests compare.
 */
export async function twoTeams(p: { api: Api; createUser(role: 'agent' | 'lead', name: string): Promise<User> }) {
  const inboxA = (await createInbox(p.api, 'webchat', {}, { name: 'A' })).id;
  const inboxB = (await createInbox(p.api, 'webchat', {}, { name: 'B' })).id;
  const agentA = await p.createUser('agent', 'Agent A');
  const agentB = await p.createUser('agent', 'Agent B');
  const lead = await p.createUser('lead', 'Lead');
  await p.api.post(`/api/v1/inboxes/${inboxA}/members`, { userIds: [agentA.id] });
  await p.api.post(`/api/v1/inboxes/${inboxB}/members`, { userIds: [agentB.id] });
  return { inboxA, inboxB, agentA, agentB, lead };
}
