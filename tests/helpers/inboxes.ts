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
