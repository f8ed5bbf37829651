// SSE straight onto Node's ServerResponse: a write is a socket buffer append (a few µs),
// where the web-stream path (Hono streamSSE -> TransformStream -> node-server's reader) costs
// tens of µs per write, which is what 1,000 streams pay on every event burst.
import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { SseSink, SseTransport } from '../api/sse.js';

export const nodeSseTransport: SseTransport = (c) => {
  const res = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!res || res.headersSent) return null;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let closed = false;
  const closers: (() => void)[] = [];
  const onGone = () => { if (closed) return; closed = true; for (const f of closers) f(); };
  res.on('close', onGone);
  res.on('error', onGone);
  const sink: SseSink = {
    write(blocks) {
      if (closed) return Promise.resolve();
      // Corked: the burst leaves in one chunk and one syscall, the shared encoded blocks as they are.
      res.cork();
      let ok = true;
      for (const b of blocks) ok = res.write(b);
      res.uncork();
      if (ok) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
        res.on('drain', done);
        res.on('close', done);
      });
    },
    get closed() { return closed; },
    onClose(fn) { closers.push(fn); },
    close() { if (!closed) res.end(); onGone(); },
  };
  return { sink, response: RESPONSE_ALREADY_SENT };
};
