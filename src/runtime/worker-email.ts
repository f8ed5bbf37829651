// Workers: Email Routing hands each message to the Worker's email() handler. The inbox is the
// one whose connector receives for the recipient address; its events go through the one ingest
// door as IMAP's do (a redelivered message is a no-op by its Message-ID).
import type { ChannelKind } from '../../connectors/types.js';
import type { Deps } from '../domain/deps.js';
import { connectorFor } from '../domain/inboxes/inbox-config.js';
import { ingest } from '../domain/ingest/ingest.js';

/** Email Routing's limit for one message; anything larger is refused before it is read. */
export const MAX_EMAIL_BYTES = 25 * 1024 * 1024;

export interface RoutedEmail { from: string; to: string; raw: ReadableStream<Uint8Array>; rawSize: number; setReject(reason: string): void }

export async function receiveRoutedEmail(deps: Deps, message: RoutedEmail): Promise<{ inboxId: string; inserted: number } | null> {
  const to = message.to.toLowerCase();
  const rows = await deps.store.all<{ id: string; channel: string; config: string }>('SELECT id, channel, config FROM inboxes');
  for (const row of rows) {
    const c = deps.connectors.get(row.channel as ChannelKind);
    if (!c?.receivesFor || !c.receive) continue;
    let config;
    // Configs are sealed at rest: connectorFor opens the secret fields before parsing.
    try { config = (await connectorFor(deps, row))!.config; } catch { continue; }
    if (c.receivesFor(config) !== to) continue;
    if (message.rawSize > MAX_EMAIL_BYTES) { message.setReject('Message too large'); return null; }
    const raw = new Uint8Array(await new Response(message.raw).arrayBuffer());
    const events = await c.receive(raw, config);
    const res = await ingest(deps, { id: row.id, channel: row.channel }, events);
    return { inboxId: row.id, inserted: res.inserted.length };
  }
  message.setReject('Unknown address');
  return null;
}
