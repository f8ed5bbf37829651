// Polling inboxes (X DMs, IMAP, Telegram getUpdates): fetch from the stored cursor, ingest
// with the new cursor in the same atomic unit, and back off when the platform fails.
import { RetryableError, type ChannelKind } from '../../connectors/types.js';
import type { Deps } from './deps.js';
import { ingest } from './ingest.js';
import type { Row } from './store.js';
import { openInboxConfig } from './inbox-config.js';

const running = new Set<string>();
const MAX_BACKOFF_MS = 30 * 60_000;

export async function pollDueInboxes(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const inboxes = await deps.store.all('SELECT * FROM inboxes WHERE next_poll_at IS NULL OR next_poll_at <= ?', [now]);
  let polled = 0;
  for (const inbox of inboxes) {
    const connector = deps.connectors.get(inbox.channel as ChannelKind);
    if (!connector?.poll) continue;
    // One inbox's broken stored config must not stop the others from polling.
    let config: unknown;
    try {
      config = connector.config.parse(await openInboxConfig(deps, inbox));
    } catch (err) {
      await markBadConfig(deps, inbox, err);
      continue;
    }
    const every = connector.pollSeconds?.(config as never);
    if (every == null) continue;
    polled++;
    await pollInbox(deps, inbox, every);
  }
  return polled;
}

/** One poll of one inbox; never two at once for the same inbox in this process. */
export async function pollInbox(deps: Deps, inbox: Row, everySeconds = 60): Promise<{ ingested: number; more?: boolean } | null> {
  const id = inbox.id as string;
  if (running.has(id)) return null;
  running.add(id);
  try {
    const connector = deps.connectors.get(inbox.channel as ChannelKind)!;
    const config = connector.config.parse(await openInboxConfig(deps, inbox));
    const cur = await deps.store.get<{ cursor: string | null }>("SELECT cursor FROM connector_cursors WHERE inbox_id = ? AND name = 'default'", [id]);
    const { events, cursor, more } = await connector.poll!(config, cur?.cursor ?? null);
    const res = await ingest(deps, { id, channel: inbox.channel as string }, events, { cursor: { value: cursor } });
    if (connector.afterIngest) {
      connector.afterIngest(config, events).catch((err: Error) => deps.log.warn({ inboxId: id, channel: inbox.channel, err: err.message }, 'poll follow-up call failed'));
    }
    await deps.store.run("UPDATE inboxes SET health = 'ok', health_error = NULL, poll_failures = 0, next_poll_at = ? WHERE id = ?",
      // A backlog drains batch after batch rather than one batch per interval.
      [more ? deps.clock.now() : deps.clock.now() + everySeconds * 1000, id]);
    return { ingested: res.inserted.length, ...(more ? { more: true } : {}) };
  } catch (err) {
    const failures = ((inbox.poll_failures as number) ?? 0) + 1;
    // A platform that says when to come back (429 reset, retry_after) is honoured; else exponential.
    const retryAfter = err instanceof RetryableError ? err.retryAfterMs : undefined;
    const wait = retryAfter != null ? Math.min(MAX_BACKOFF_MS, Math.max(1000, retryAfter))
      : Math.min(MAX_BACKOFF_MS, everySeconds * 1000 * 2 ** Math.min(failures, 10));
    const message = err instanceof Error ? err.message : String(err);
    await deps.store.run("UPDATE inboxes SET health = 'needs_attention', health_error = ?, poll_failures = ?, next_poll_at = ? WHERE id = ?",
      [message, failures, deps.clock.now() + wait, id]);
    deps.log.warn({ inboxId: id, channel: inbox.channel, failures, retryInMs: wait, err: message }, 'poll failed');
    return null;
  } finally {
    running.delete(id);
  }
}

const BAD_CONFIG_RECHECK_MS = 5 * 60_000;

async function markBadConfig(deps: Deps, inbox: Row, err: unknown) {
  const detail = err instanceof Error ? err.message.slice(0, 300) : String(err);
  await deps.store.run("UPDATE inboxes SET health = 'needs_attention', health_error = ?, next_poll_at = ? WHERE id = ?",
    [`The stored settings of this inbox cannot be read; fix them in the inbox settings: ${detail}`, deps.clock.now() + BAD_CONFIG_RECHECK_MS, inbox.id]);
  deps.log.warn({ inboxId: inbox.id, channel: inbox.channel, err: detail }, 'inbox config unreadable, not polled');
}
