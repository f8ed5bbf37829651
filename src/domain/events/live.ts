// The fan-out from the event bus to open SSE streams. Publishing (on the ingest path) only
// appends to a list; the streams are offered the events at most every FLUSH_MS, in later
// macrotasks, each stream once per flush. Each stream
// decides with a synchronous filter (no query per event) before anything is queued, and each
// queue is bounded: a client that stops reading is disconnected and resumes with Last-Event-ID.
// Streams are capped per user or visitor, and per client address.
import type { Deps } from '../deps.js';
import type { EventBus, ParleyEvent } from './bus.js';

const FLUSH_MS = 50;
/** Streams served per macrotask within one flush. */
const SLICE = 100;

export interface LiveLimits {
  /** Events waiting for one slow client before it is cut off. */
  maxQueue: number;
  /** Open streams per signed-in user, per web chat visitor, per client address. */
  perUser: number;
  perVisitor: number;
  perAddress: number;
}

/** The defaults; the Node runtime takes PARLEY_SSE_* overrides into Deps.liveLimits. */
export const DEFAULT_LIVE_LIMITS: LiveLimits = { maxQueue: 1000, perUser: 10, perVisitor: 3, perAddress: 200 };

export interface LiveStream {
  accepts(e: ParleyEvent): boolean;
  /**
   * The events of one flush this stream accepts, in id order; false = its queue is full. Streams
   * that accept the same events of a flush are handed the same array, so what is derived from
   * it (the encoded bytes) can be made once for all of them.
   */
  offer(events: readonly ParleyEvent[]): boolean;
  /** The hub gives up on the stream (queue overflow): the connection is dropped. */
  cutOff(): void;
  /** The stream is ended cleanly (shutdown). */
  end(): void;
}

export class LiveStreams {
  readonly limits: LiveLimits;
  private readonly streams = new Set<LiveStream>();
  /** Streams fed by their own source (see open). */
  private readonly owned = new Set<LiveStream>();
  private readonly counts = new Map<string, number>();
  private pending: ParleyEvent[] = [];
  private scheduled = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly bus: EventBus, limits: Partial<LiveLimits> = {}) {
    this.limits = { ...DEFAULT_LIVE_LIMITS, ...limits };
  }

  get size(): number { return this.streams.size + this.owned.size; }

  private readonly waiting = new Map<string, Set<(conversationId: string) => void>>();

  /** A stream waiting for its subject's conversation to begin (a visitor who has not written yet). */
  awaitConversation(key: string, fn: (conversationId: string) => void): () => void {
    let set = this.waiting.get(key);
    if (!set) { set = new Set(); this.waiting.set(key, set); }
    set.add(fn);
    return () => { set.delete(fn); if (!set.size) this.waiting.delete(key); };
  }

  /** The conversation for `key` exists now: streams waiting for it start receiving it. */
  conversationBegan(key: string, conversationId: string): void {
    const set = this.waiting.get(key);
    if (!set) return;
    this.waiting.delete(key);
    for (const fn of set) fn(conversationId);
  }

  /**
   * Registers a stream under its cap keys; null = a cap is reached (the caller answers 429).
   * `source`: the stream's own live source (Workers: a subscription to the hub Durable Object,
   * since the in-process bus reaches one isolate only); without it the process's bus feeds it.
   */
  open(stream: LiveStream, keys: { key: string; max: number }[], source?: Pick<EventBus, 'subscribe'>): (() => void) | null {
    if (keys.some((k) => (this.counts.get(k.key) ?? 0) >= k.max)) return null;
    for (const k of keys) this.counts.set(k.key, (this.counts.get(k.key) ?? 0) + 1);
    let ownUnsubscribe: (() => void) | null = null;
    if (source) {
      ownUnsubscribe = source.subscribe((e) => {
        if (stream.accepts(e) && !stream.offer([e])) { ownUnsubscribe?.(); stream.cutOff(); }
      });
      this.owned.add(stream);
    } else {
      this.streams.add(stream);
      this.unsubscribe ??= this.bus.subscribe((e) => this.enqueue(e));
    }
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      ownUnsubscribe?.();
      this.owned.delete(stream);
      this.streams.delete(stream);
      for (const k of keys) {
        const n = (this.counts.get(k.key) ?? 1) - 1;
        if (n <= 0) this.counts.delete(k.key); else this.counts.set(k.key, n);
      }
      if (this.streams.size === 0 && this.unsubscribe) { this.unsubscribe(); this.unsubscribe = null; }
    };
  }

  /** Ends every stream (shutdown): clients reconnect, elsewhere or after the restart, with Last-Event-ID. */
  closeAll(): void {
    for (const s of [...this.streams, ...this.owned]) { this.streams.delete(s); this.owned.delete(s); s.end(); }
  }

  private enqueue(e: ParleyEvent): void {
    this.pending.push(e);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Bursts within FLUSH_MS reach each stream as one write: with a thousand streams, writes
    // per second follow this cadence, not the event rate.
    setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    // Streams that take every event (a manager's) or the same few (agents of one inbox) share
    // one array of them. The streams are served SLICE at a time, each slice its own macrotask,
    // so requests (webhooks above all) are answered between slices rather than after a
    // thousand writes. The next flush waits for this one: a stream gets flushes in order.
    const subsets = new Map<string, ParleyEvent[]>();
    const streams = [...this.streams];
    const serve = (from: number) => {
      const to = Math.min(streams.length, from + SLICE);
      for (let i = from; i < to; i++) if (this.streams.has(streams[i])) this.offerTo(streams[i], batch, subsets);
      if (to < streams.length) { setTimeout(() => serve(to), 0); return; }
      this.scheduled = false;
      if (this.pending.length) this.schedule();
    };
    serve(0);
  }

  /** One pass over the flush's events for one stream. */
  private offerTo(s: LiveStream, batch: ParleyEvent[], subsets: Map<string, ParleyEvent[]>): void {
    let picked: number[] | null = null;
    for (let i = 0; i < batch.length; i++) {
      if (s.accepts(batch[i])) picked?.push(i);
      else if (!picked) picked = Array.from({ length: i }, (_, k) => k);
    }
    let events: readonly ParleyEvent[] = batch;
    if (picked) {
      if (!picked.length) return;
      const key = picked.join(',');
      let shared = subsets.get(key);
      if (!shared) { shared = picked.map((i) => batch[i]); subsets.set(key, shared); }
      events = shared;
    }
    if (!s.offer(events)) { this.streams.delete(s); s.cutOff(); }
  }
}

const hubs = new WeakMap<object, LiveStreams>();

/** The process's fan-out for these deps (created on first use). */
export function liveStreams(deps: Pick<Deps, 'bus' | 'liveLimits'>, limits: Partial<LiveLimits> | undefined = deps.liveLimits): LiveStreams {
  let hub = hubs.get(deps.bus);
  if (!hub) { hub = new LiveStreams(deps.bus, limits); hubs.set(deps.bus, hub); }
  return hub;
}
