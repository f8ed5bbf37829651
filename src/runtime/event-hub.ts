// Workers: the Durable Object every isolate sends its stored events to, and every SSE stream
// (agents' and visitors') listens to, so an event reaches clients whatever isolate made it.
// One instance (idFromName('live')); it only relays: scope checks stay in the SSE routes, and
// the events table stays the record (a stream resumes from it with Last-Event-ID).
// Bounded: at most MAX_STREAMS listeners, and a listener that falls MAX_QUEUED writes behind
// is dropped (its SSE stream ends; the client reconnects with Last-Event-ID).
import type { ParleyEvent } from '../domain/events/bus.js';

export const MAX_STREAMS = 5_000;
const MAX_QUEUED = 256;
const enc = new TextEncoder();

export class EventHub {
  private streams = new Set<WritableStreamDefaultWriter<Uint8Array>>();

  async fetch(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (path === '/publish' && req.method === 'POST') {
      const events = (await req.json()) as ParleyEvent[];
      const bytes = enc.encode(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      for (const w of this.streams) {
        if ((w.desiredSize ?? 0) < -MAX_QUEUED) { this.drop(w); continue; }
        w.write(bytes).catch(() => this.drop(w));
      }
      return new Response(null, { status: 204 });
    }
    if (path === '/subscribe') {
      if (this.streams.size >= MAX_STREAMS) return new Response('too many live streams', { status: 503 });
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const w = writable.getWriter();
      this.streams.add(w);
      // The first line tells the subscriber it is registered (sse.ts waits for it before 'ready').
      w.write(enc.encode('\n')).catch(() => this.drop(w));
      return new Response(readable, { headers: { 'content-type': 'application/x-ndjson' } });
    }
    return new Response('not found', { status: 404 });
  }

  private drop(w: WritableStreamDefaultWriter<Uint8Array>) {
    if (!this.streams.delete(w)) return;
    w.abort().catch(() => {});
  }
}
