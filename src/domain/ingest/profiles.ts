// Names the platform leaves out of its webhooks (Messenger and Instagram send only ids) come
// from the connector's profile lookup, once per customer: the answer is kept on the contact,
// and a contact that already has a name is never looked up again. A lookup that fails never
// holds up the message; it is retried after a pause on a later message. Lookups run side by
// side and the webhook waits for them at most PROFILE_BUDGET_MS: an answer that comes later
// is written to the contact afterwards (off the response path), so a slow profile API never
// holds a webhook's answer until the platform retries it.
import { isMessageEvent, type Connector, type InboundEvent, type InboundSender } from '../../../connectors/types.js';
import { emitEvents } from '../events/emit.js';
import type { Deps } from '../deps.js';
import { raw } from '../core/store.js';

const MAX_LOOKUPS_PER_DELIVERY = 10;
export const PROFILE_BUDGET_MS = 1_000;
const FAILED_LOOKUP_PAUSE_MS = 60 * 60_000;
const failedUntil = new Map<string, number>();
// Senders whose contact is known to have a name: their next messages skip the query (a read
// per webhook, ~4% of its CPU under load). Only "named" is remembered, and ingest never
// removes a name; an agent clearing one just means no new lookup for that sender.
const knownNamed = new Set<string>();
const KNOWN_NAMED_MAX = 50_000;

export async function withProfiles(deps: Deps, inbox: { id: string }, connector: Connector<any>, config: unknown, events: InboundEvent[]): Promise<InboundEvent[]> {
  if (!connector.fetchProfile) return events;
  const now = deps.clock.now();
  const wanted = [...new Set(events.flatMap((e) => (isMessageEvent(e) && !e.sender.name ? [e.sender.externalId] : [])))]
    .filter((id) => !knownNamed.has(`${inbox.id}\u0000${id}`) && (failedUntil.get(`${inbox.id}\u0000${id}`) ?? 0) <= now);
  if (wanted.length === 0) return events;
  const named = await deps.store.all<{ external_id: string }>(
    `SELECT ci.external_id FROM contact_identities ci JOIN contacts c ON c.id = ci.contact_id
     WHERE ci.inbox_id = ? AND ci.external_id IN (SELECT value FROM json_each(?)) AND c.name IS NOT NULL`,
    [inbox.id, JSON.stringify(wanted)]);
  const known = new Set(named.map((r) => r.external_id));
  if (knownNamed.size + known.size > KNOWN_NAMED_MAX) knownNamed.clear();
  for (const id of known) knownNamed.add(`${inbox.id}\u0000${id}`);
  const found = new Map<string, Awaited<ReturnType<NonNullable<Connector['fetchProfile']>>>>();
  let inTime = true;
  const lookups = wanted.filter((w) => !known.has(w)).slice(0, MAX_LOOKUPS_PER_DELIVERY).map(async (id) => {
    try {
      const p = await connector.fetchProfile!(config, id);
      if (!p) { failedUntil.set(`${inbox.id}\u0000${id}`, now + FAILED_LOOKUP_PAUSE_MS); return; }
      if (inTime) found.set(id, p);
      else await applyLateProfile(deps, inbox.id, id, p);
    } catch (err) {
      failedUntil.set(`${inbox.id}\u0000${id}`, now + FAILED_LOOKUP_PAUSE_MS);
      deps.log.warn({ inboxId: inbox.id, err: (err as Error).message }, 'profile lookup failed');
    }
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.all(lookups), new Promise<void>((r) => { timer = setTimeout(r, PROFILE_BUDGET_MS); })]);
  if (timer !== undefined) clearTimeout(timer);
  inTime = false;
  if (failedUntil.size > 10_000) failedUntil.clear();
  if (found.size === 0) return events;
  return events.map((e) => {
    if (!isMessageEvent(e)) return e;
    const p = found.get(e.sender.externalId);
    return p ? { ...e, sender: { ...p, ...Object.fromEntries(Object.entries(e.sender).filter(([, v]) => v !== undefined)), externalId: e.sender.externalId } } : e;
  });
}

/** A profile that came after its message was stored: fills the fields the contact still lacks. */
async function applyLateProfile(deps: Deps, inboxId: string, externalId: string, p: Partial<InboundSender>): Promise<void> {
  const [rows] = await deps.store.atomically([raw(
    `UPDATE contacts SET name = coalesce(name, ?), email = coalesce(email, ?), phone = coalesce(phone, ?)
     WHERE id = (SELECT contact_id FROM contact_identities WHERE inbox_id = ? AND external_id = ?) RETURNING id`,
    p.name ?? null, p.email ?? null, p.phone ?? null, inboxId, externalId)]);
  if (p.handle) await deps.store.run('UPDATE contact_identities SET handle = coalesce(handle, ?) WHERE inbox_id = ? AND external_id = ?', [p.handle, inboxId, externalId]);
  if (rows[0]) await emitEvents(deps, [{ type: 'contact.updated', audience: [inboxId], payload: { contactId: rows[0].id, fields: Object.keys(p) } }]);
}
