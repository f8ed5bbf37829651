// Streams stored domain events to one client: replays from Last-Event-ID (in pages, from the
// store), then live ones from the fan-out (live.ts). The caller's `accepts` decides what the
// client may see; it is synchronous so no event costs a query. A client that falls more than
// the queue bound behind is cut off and resumes with Last-Event-ID.
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Deps } from '../domain/deps.js';
import { AppError } from '../domain/core/errors.js';
import type { Row } from '../domain/core/store.js';
import type { ParleyEvent } from '../domain/events/bus.js';
import { liveStreams, type LiveStream } from '../domain/events/live.js';
import { storedEventsAfter } from '../domain/events/stored-events.js';

const REPLAY_PAGE = 500;
const HEARTBEAT_MS = 25_000;

export type EventMap = (e: ParleyEvent) => unknown;
export interface StreamOptions {
  lastEventId?: number;
  /** The client's view of an event; serialized once per event for all streams using it. */
  map?: EventMap;
  /** Cap keys (user, visitor, address) with their limits. */
  caps: { key: string; max: number }[];
  /** false: always Hono's web stream (when middleware must set headers, e.g. CORS). */
  direct?: boolean;
  /** Called once when the stream ends, however it ends. */
  onClose?: () => void;
  /** Drops the client's connection when it is cut off (runtime-specific). */
  drop?: () => void;
  /** Receives a function that queues stored events (matching `where` and `accepts`) the client has not had: for a filter that widened. */
  onReplayer?: (replay: (only: { conversationId: string }) => Promise<void>) => void;
}

export const defaultView: EventMap = (e) => ({ type: e.type, ...e.payload, conversationId: e.conversationId, inboxId: e.inboxId, at: new Date(e.createdAt).toISOString() });
// The SSE block of an event, encoded once per view for every stream that gets it: with a
// thousand streams the bytes, not the JSON, are the cost, so no stream re-encodes them.
const frames = new WeakMap<EventMap, WeakMap<ParleyEvent, Uint8Array>>();
const encoder = new TextEncoder();

// A flush's events, encoded once per view for every stream handed the same array (live.ts).
const batchFrames = new WeakMap<readonly ParleyEvent[], Map<EventMap, Uint8Array>>();
function frameOf(map: EventMap, events: readonly ParleyEvent[]): Uint8Array {
  if (events.length === 1) return block(map, events[0]);
  let byMap = batchFrames.get(events);
  if (!byMap) { byMap = new Map(); batchFrames.set(events, byMap); }
  let f = byMap.get(map);
  if (f === undefined) { f = concat(events.map((e) => block(map, e))); byMap.set(map, f); }
  return f;
}

function block(map: EventMap, e: ParleyEvent): Uint8Array {
  let cache = frames.get(map);
  if (!cache) { cache = new WeakMap(); frames.set(map, cache); }
  let f = cache.get(e);
  if (f === undefined) { f = encoder.encode(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(map(e))}\n\n`); cache.set(e, f); }
  return f;
}

export function streamEvents(c: Context, deps: Deps, accepts: (e: ParleyEvent) => boolean, opts: StreamOptions) {
  const hub = liveStreams(deps);
  const map = opts.map ?? defaultView;
  const queue: ParleyEvent[] = [];
  let wake: (() => void) | null = null;
  let cut = false;
  let abort: (() => void) | null = null;
  let lastSent = opts.lastEventId ?? 0;
  // Once the client has had 'ready' and its queue is empty, a flush is written straight to a
  // sink that can take it at once (writeNow): no wake-up, no promise, no per-stream encoding.
  let fast: SseSink | null = null;
  let writing = false;
  let drained: Promise<void> | null = null;
  const writeNow = (sink: SseSink, events: readonly ParleyEvent[]) => {
    const fresh = events[0].id > lastSent ? events : events.filter((e) => e.id > lastSent);
    if (!fresh.length) return;
    lastSent = fresh[fresh.length - 1].id;
    if (!sink.writeNow!(frameOf(map, fresh))) drained = sink.drained!().then(() => { drained = null; wake?.(); });
  };
  const live: LiveStream = {
    accepts,
    offer(events) {
      if (fast && !writing && !drained && queue.length === 0 && !cut) { writeNow(fast, events); return true; }
      if (queue.length + events.length > hub.limits.maxQueue) return false;
      queue.push(...events);
      wake?.();
      return true;
    },
    cutOff() { cut = true; abort?.(); opts.drop?.(); wake?.(); },
    end() { cut = true; abort?.(); wake?.(); },
  };
  const source = deps.openLive?.();
  const unregister = hub.open(live, opts.caps, source);
  if (!unregister) throw new AppError(429, 'too_many_streams', 'Too many live streams are open for you or your address; close one first');
  let closed = false;
  const close = () => { if (closed) return; closed = true; unregister(); opts.onClose?.(); };
  const run = async (sink: SseSink) => {
    abort = () => sink.close();
    sink.onClose(() => { close(); wake?.(); });
    const send = async (e: ParleyEvent) => {
      if (e.id <= lastSent) return;
      lastSent = e.id;
      await sink.write([block(map, e)]);
    };
    const replay = async () => {
      let after = lastSent;
      for (;;) {
        const events = await storedEventsAfter(deps, after, REPLAY_PAGE);
        for (const e of events) { after = e.id; if (accepts(e)) await send(e); }
        if (events.length < REPLAY_PAGE || sink.closed) return;
      }
    };
    try {
      // Subscribed before the replay reads, so nothing published meanwhile is missed; the id
      // check drops what both deliver.
      if (opts.lastEventId) await replay();
      // A widened filter (a visitor's conversation just began): its stored events join the
      // queue in id order rather than being written beside the loop.
      opts.onReplayer?.(async (only) => {
        const more = (await storedEventsAfter(deps, lastSent, REPLAY_PAGE, only)).filter(accepts);
        if (!more.length) return;
        queue.push(...more);
        queue.sort((a, b) => a.id - b.id);
        wake?.();
      });
      if (source) {
        // A source that goes away ends the stream: the client reconnects with Last-Event-ID.
        void source.closed.then(() => live.end());
        // 'ready' promises the client every event from now on: the source must be listening.
        await source.ready;
      }
      await sink.write([encoder.encode('event: ready\ndata: {}\n\n')]);
      if (sink.writeNow && sink.drained) fast = sink;
      while (!sink.closed && !cut) {
        if (drained) { await drained; continue; }
        // Everything queued goes out as one write: per-write overhead is paid per burst, not
        // per event, which is what keeps many streams cheap.
        if (queue.length) {
          const chunk: Uint8Array[] = [];
          for (const e of queue.splice(0)) {
            if (e.id <= lastSent) continue;
            lastSent = e.id;
            chunk.push(block(map, e));
          }
          writing = true;
          try { if (chunk.length) await sink.write(chunk); } finally { writing = false; }
          continue;
        }
        const timedOut = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => { wake = null; resolve(true); }, HEARTBEAT_MS);
          wake = () => { clearTimeout(t); wake = null; resolve(false); };
        });
        if (timedOut && !sink.closed) await sink.write([encoder.encode(': keep-alive\n\n')]);
      }
    } finally {
      close();
    }
  };
  const direct = opts.direct !== false ? c.get('sseTransport')?.(c) : null;
  if (direct) {
    void run(direct.sink).catch(() => direct.sink.close());
    return direct.response;
  }
  return streamSSE(c, async (stream) => run(webSink(stream)));
}

/** Where a stream's bytes go: the runtime's socket (sseTransport) or Hono's web stream. */
export interface SseSink {
  /** Writes the blocks as one burst; resolves once accepted (after a drain when the socket buffer is full). */
  write(blocks: Uint8Array[]): Promise<void>;
  /** Optional fast path: hands the bytes over at once; false = the buffer is full, wait for drained(). */
  writeNow?(frame: Uint8Array): boolean;
  drained?(): Promise<void>;
  readonly closed: boolean;
  onClose(fn: () => void): void;
  close(): void;
}
/** A runtime's direct path to the client (Node: the ServerResponse), or null to use web streams. */
export type SseTransport = (c: Context) => { sink: SseSink; response: Response } | null;

function webSink(stream: SSEStreamingApi): SseSink {
  return {
    write: async (blocks) => { await stream.write(blocks.length === 1 ? blocks[0] : concat(blocks)); },
    get closed() { return stream.aborted || stream.closed; },
    onClose: (fn) => stream.onAbort(fn),
    close: () => stream.abort(),
  };
}

function concat(blocks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of blocks) { out.set(b, at); at += b.byteLength; }
  return out;
}
