// Streams stored domain events to one client: replays from Last-Event-ID, then live ones,
// each passed through `allow` (the caller's scope).
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Deps } from '../domain/deps.js';
import type { ParleyEvent } from './bus.js';

const REPLAY_LIMIT = 500;
const HEARTBEAT_MS = 25_000;

export function streamEvents(c: Context, deps: Deps, allow: (e: ParleyEvent) => boolean | Promise<boolean>, opts: { lastEventId?: number; map?: (e: ParleyEvent) => unknown } = {}) {
  return streamSSE(c, async (stream) => {
    const queue: ParleyEvent[] = [];
    let wake: (() => void) | null = null;
    const live = deps.openLive?.() ?? deps.bus;
    const unsubscribe = live.subscribe((e) => { queue.push(e); wake?.(); });
    stream.onAbort(() => { unsubscribe(); wake?.(); });
    let lastSent = opts.lastEventId ?? 0;
    const send = async (e: ParleyEvent) => {
      if (e.id <= lastSent || !(await allow(e))) return;
      lastSent = e.id;
      await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(opts.map ? opts.map(e) : { type: e.type, ...e.payload, conversationId: e.conversationId, inboxId: e.inboxId, at: new Date(e.createdAt).toISOString() }) });
    };
    if (opts.lastEventId) {
      const rows = await deps.store.all('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?', [opts.lastEventId, REPLAY_LIMIT]);
      for (const r of rows) {
        await send({ id: r.id as number, type: r.type as string, inboxId: r.inbox_id as string | null, conversationId: r.conversation_id as string | null,
          userId: r.user_id as string | null, payload: JSON.parse(r.payload as string), createdAt: r.created_at as number });
      }
    }
    // 'ready' promises the client every event from now on: the live source must be listening.
    if ('ready' in live) {
      // A source that goes away ends the stream: the client reconnects with Last-Event-ID.
      void live.closed.then(() => { stream.abort(); wake?.(); });
      await live.ready;
    }
    await stream.writeSSE({ event: 'ready', data: '{}' });
    while (!stream.aborted) {
      while (queue.length) await send(queue.shift()!);
      const timedOut = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => { wake = null; resolve(true); }, HEARTBEAT_MS);
        wake = () => { clearTimeout(t); wake = null; resolve(false); };
      });
      if (timedOut && !stream.aborted) await stream.write(': keep-alive\n\n');
    }
    unsubscribe();
  });
}
