// Workers: the two halves of live events through the EventHub Durable Object. Each isolate
// forwards the events it published (after the response, in waitUntil); each SSE stream opens
// its own subscription (an I/O stream belongs to the request that opened it).
import type { EventBus, ParleyEvent } from '../domain/events/bus.js';
import type { DurableObjectNamespace } from './worker-env.js';

const hub = (ns: DurableObjectNamespace) => ns.get(ns.idFromName('live'));

/** Collects this isolate's published events; `flush` sends what is waiting to the hub. */
export function hubForwarder(bus: EventBus, ns: DurableObjectNamespace) {
  let waiting: ParleyEvent[] = [];
  bus.subscribe((e) => { waiting.push(e); });
  return {
    pending: () => waiting.length,
    async flush(): Promise<void> {
      if (waiting.length === 0) return;
      const events = waiting;
      waiting = [];
      const res = await hub(ns).fetch('https://hub/publish', { method: 'POST', body: JSON.stringify(events), headers: { 'content-type': 'application/json' } });
      await res.body?.cancel();
    },
  };
}

/** One SSE stream's subscription: events as the hub relays them, NDJSON lines. */
export function hubSubscription(ns: DurableObjectNamespace) {
  const listeners = new Set<(e: ParleyEvent) => void>();
  const abort = new AbortController();
  let markReady!: () => void;
  const ready = new Promise<void>((r) => { markReady = r; });
  const closed = (async () => {
    try {
      const res = await hub(ns).fetch('https://hub/subscribe', { signal: abort.signal });
      if (!res.ok || !res.body) { markReady(); return; }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      abort.signal.addEventListener('abort', () => { void reader.cancel().catch(() => {}); });
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          markReady();
          if (line) { const e = JSON.parse(line) as ParleyEvent; for (const fn of listeners) fn(e); }
        }
      }
    } catch { /* aborted or the hub went away: the client reconnects with Last-Event-ID */ }
    markReady();
  })();
  return {
    ready,
    closed,
    subscribe(fn: (e: ParleyEvent) => void) {
      listeners.add(fn);
      return () => { listeners.delete(fn); if (listeners.size === 0) abort.abort(); };
    },
  };
}
