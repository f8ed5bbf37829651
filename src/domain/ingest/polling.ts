// Polling inboxes (X DMs, IMAP, Telegram getUpdates): fetch from the stored cursor, ingest
// with the new cursor in the same atomic unit, and back off when the platform fails.
// pollInbox is one batch; poll-loop.ts runs batches back to back while the platform says
// there is more, and holds (long polling) or waits for pushed news when caught up.
import { RetryableError, type PollResult, type PollSession } from '../../../connectors/types.js';
import type { Deps } from '../deps.js';
import { ingest } from './ingest.js';
import { isPaused, recordImportProgress } from './import-progress.js';
import type { Row } from '../core/store.js';
import { connectorFor } from '../inboxes/inbox-config.js';
import type { InboxRow } from '../core/rows.js';
import { numberOf, textOf } from '../core/returned.js';

const running = new Set<string>();
const MAX_BACKOFF_MS = 30 * 60_000;

export async function pollDueInboxes(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const inboxes = await deps.store.all<InboxRow>('SELECT * FROM inboxes WHERE next_poll_at IS NULL OR next_poll_at <= ?', [now]);
  let polled = 0;
  for (const inbox of inboxes) {
    const connector = deps.connectors.get(inbox.channel);
    if (!connector?.poll || isPaused(inbox)) continue;
    // One inbox's broken stored config must not stop the others from polling.
    let config: unknown;
    try {
      config = (await connectorFor(deps, inbox))!.config;
    } catch (err) {
      await markBadConfig(deps, inbox, err);
      continue;
    }
    const every = connector.pollSeconds?.(config);
    if (every == null) continue;
    polled++;
    await pollInbox(deps, inbox, every);
  }
  return polled;
}

export interface PollInboxOptions {
  /** The inbox's persistent connection (IMAP), instead of a connection per poll. */
  session?: PollSession;
  /** Caught up: a long-polling platform may hold the request this long. */
  holdSeconds?: number;
  signal?: AbortSignal;
}

export interface PollOutcome { ingested: number; more?: boolean }

/**
 * The columns pollInbox reads, checked: its callers (the Workers job, tests) hand it
 * `SELECT *` rows that are not always typed as InboxRow.
 */
function polledInbox(r: Row): Pick<InboxRow, 'id' | 'channel' | 'poll_failures'> {
  // A row without poll_failures (a test's partial row) counts as not having failed, as before.
  return { id: textOf(r, 'id'), channel: textOf(r, 'channel'), poll_failures: r.poll_failures == null ? 0 : numberOf(r, 'poll_failures') };
}

/** One poll of one inbox; never two at once for the same inbox in this process. */
export async function pollInbox(deps: Deps, row: Row, everySeconds = 60, opts: PollInboxOptions = {}): Promise<PollOutcome | null> {
  const inbox = polledInbox(row);
  const id = inbox.id;
  if (running.has(id)) return null;
  running.add(id);
  try {
    const { connector, config } = (await connectorFor(deps, row))!;
    const began = deps.clock.now();
    const cur = await deps.store.get<{ cursor: string | null }>("SELECT cursor FROM connector_cursors WHERE inbox_id = ? AND name = 'default'", [id]);
    const prev = cur?.cursor ?? null;
    const res: PollResult = opts.session
      ? await opts.session.poll(prev, opts.signal)
      : await connector.poll!(config, prev, opts.signal, opts.holdSeconds ? { holdSeconds: opts.holdSeconds } : undefined);
    const { events, cursor, more } = res;
    const stored = await ingest(deps, { id, channel: inbox.channel }, events, { cursor: { value: cursor } });
    if (connector.afterIngest) {
      connector.afterIngest(config, events).catch((err: Error) => deps.log.warn({ inboxId: id, channel: inbox.channel, err: err.message }, 'poll follow-up call failed'));
    }
    const now = deps.clock.now();
    // A backlog drains batch after batch rather than one batch per interval; a rate limit
    // that asks for a pause (x-rate-limit-reset pacing) is kept either way.
    const wait = Math.max(more ? 0 : everySeconds * 1000, res.waitMs ?? 0);
    await deps.store.run("UPDATE inboxes SET health = 'ok', health_error = NULL, poll_failures = 0, next_poll_at = ? WHERE id = ?", [now + wait, id]);
    await recordImportProgress(deps, inbox, { done: events.length, remaining: res.backlog?.remaining ?? (more ? null : 0), began });
    return { ingested: stored.inserted.length, ...(more ? { more: true } : {}) };
  } catch (err) {
    if (opts.signal?.aborted) return null; // stopping: not a platform failure
    const failures = inbox.poll_failures + 1;
    // A platform that says when to come back (429 reset, retry_after) is honoured; else exponential.
    const retryAfter = err instanceof RetryableError ? err.retryAfterMs : undefined;
    const wait = retryAfter != null ? Math.min(MAX_BACKOFF_MS, Math.max(1000, retryAfter))
      : Math.min(MAX_BACKOFF_MS, Math.min(everySeconds, 60) * 1000 * 2 ** Math.min(failures, 10));
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

/** Marks an inbox whose stored config cannot be opened or parsed; it is rechecked later. */
export async function markBadConfig(deps: Deps, inbox: Pick<InboxRow, 'id' | 'channel'>, err: unknown) {
  const detail = err instanceof Error ? err.message.slice(0, 300) : String(err);
  await deps.store.run("UPDATE inboxes SET health = 'needs_attention', health_error = ?, next_poll_at = ? WHERE id = ?",
    [`The stored settings of this inbox cannot be read; fix them in the inbox settings: ${detail}`, deps.clock.now() + BAD_CONFIG_RECHECK_MS, inbox.id]);
  deps.log.warn({ inboxId: inbox.id, channel: inbox.channel, err: detail }, 'inbox config unreadable, not polled');
}
