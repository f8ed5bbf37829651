// Inbound platform webhooks: handshake -> verify the signature over the raw bytes -> parse
// -> ingest. Nothing is parsed or stored before the signature checks out.
import { Hono } from 'hono';
import type { ChannelKind } from '../../connectors/types.js';
import type { Deps } from '../domain/deps.js';
import { ingestGrouped } from '../domain/ingest/ingest-group.js';
import { ingest } from '../domain/ingest/ingest.js';
import { withProfiles } from '../domain/ingest/profiles.js';
import { errorBody } from './errors.js';
import { connectorFor } from '../domain/inboxes/inbox-config.js';
import { findInbox } from '../domain/inboxes/inboxes.js';

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export const webhookRoutes = (deps: Deps) => {
  const app = new Hono();
  // The parsed connector config per inbox, reused while the stored config text is unchanged
  // (any PATCH changes the text, so the next request parses again). Bounded; oldest out first.
  const configs = new Map<string, { text: string; channel: string; config: unknown }>();
  const parsedConfig = async (inbox: { id: string; channel: string; config: string }) => {
    const hit = configs.get(inbox.id);
    if (hit && hit.text === inbox.config && hit.channel === inbox.channel) return hit.config;
    const config = (await connectorFor(deps, inbox))!.config as unknown;
    if (configs.size >= 1000 && !hit) configs.delete(configs.keys().next().value!);
    configs.set(inbox.id, { text: inbox.config, channel: inbox.channel, config });
    return config;
  };
  app.all('/:inboxId', async (c) => {
    const inbox = await findInbox(deps, c.req.param('inboxId'));
    if (!inbox) return c.json(errorBody('not_found', 'Inbox not found'), 404);
    const connector = deps.connectors.get(inbox.channel as ChannelKind);
    if (!connector?.parse && !connector?.handshake) return c.json(errorBody('no_webhook', 'This inbox does not take webhooks'), 404);
    const config = await parsedConfig(inbox) as ReturnType<typeof connector.config.parse>;
    const req = c.req.raw;
    if (connector.handshake) {
      const res = await connector.handshake(req, config);
      if (res) return res;
    }
    if (req.method !== 'POST' || !connector.parse) return c.json(errorBody('method_not_allowed', 'Webhooks are POSTed'), 405);
    const raw = new Uint8Array(await req.arrayBuffer());
    if (raw.byteLength > MAX_WEBHOOK_BYTES) return c.json(errorBody('payload_too_large', 'The body is over 1 MB'), 413);
    const u = new URL(req.url);
    const ctx = { url: req.url, publicUrl: `${deps.publicUrl}${u.pathname}${u.search}` };
    if (connector.verify && !(await connector.verify(req, raw, config, ctx))) {
      deps.log.warn({ inboxId: inbox.id, channel: inbox.channel }, 'webhook signature rejected');
      return c.json(errorBody('invalid_signature', 'The webhook signature does not match'), 401);
    }
    let events;
    try {
      // Connectors parse item by item (an unusable item becomes a `skipped` event); only a
      // body that is not JSON/form at all throws here.
      events = connector.parse(raw, config, req);
    } catch (err) {
      return c.json(errorBody('invalid_payload', `The webhook body could not be read: ${(err as Error).message}`), 400);
    }
    // Concurrent webhooks share one commit; this answers after the commit that holds ours.
    const delivery = { inbox, events: await withProfiles(deps, inbox, connector, config, events) };
    await (deps.perRequestIngest ? ingest(deps, delivery.inbox, delivery.events) : ingestGrouped(deps, delivery));
    if (connector.afterIngest) {
      const followUp = connector.afterIngest(config, events).catch((err: Error) => deps.log.warn({ inboxId: inbox.id, channel: inbox.channel, err: err.message }, 'webhook follow-up call failed'));
      // On Workers a call still running after the response is cut off unless the request's
      // execution context waits for it; on Node there is none and the process runs it on.
      executionCtxOf(c)?.waitUntil(followUp);
    }
    return connector.webhookResponse?.() ?? c.json({ ok: true }, 200);
  });
  return app;
};

/** The Worker request's execution context; Hono's getter throws where there is none (Node). */
function executionCtxOf(c: { executionCtx: { waitUntil(p: Promise<unknown>): void } }) {
  try { return c.executionCtx; } catch { return null; }
}
