// SSE straight onto the socket under Node's ServerResponse. The body is close-delimited (no
// chunked framing, `Connection: close`: a live stream ends with its connection anyway), so a
// flush is one socket write of bytes shared by every stream that gets them - no chunk headers,
// no OutgoingMessage bookkeeping, no Buffer per block. The web-stream path (Hono streamSSE ->
// TransformStream -> node-server's reader) costs tens of µs per write, which is what 1,000
// streams would pay on every flush.
import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { SseSink, SseTransport } from '../api/sse.js';

export const nodeSseTransport: SseTransport = (c) => {
  const res = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!res || res.headersSent || !res.socket) return null;
  res.useChunkedEncodingByDefault = false;
  res.shouldKeepAlive = false;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const socket = res.socket;
  let closed = false;
  const closers: (() => void)[] = [];
  const onGone = () => { if (closed) return; closed = true; for (const f of closers) f(); };
  res.on('close', onGone);
  res.on('error', onGone);
  const drained = () => new Promise<void>((resolve) => {
    if (closed || !socket.writableNeedDrain) { resolve(); return; }
    const done = () => { socket.off('drain', done); res.off('close', done); resolve(); };
    socket.on('drain', done);
    res.on('close', done);
  });
  const sink: SseSink = {
    write(blocks) {
      if (closed) return Promise.resolve();
      // Corked: the burst leaves in one syscall.
      socket.cork();
      let ok = true;
      for (const b of blocks) ok = socket.write(b);
      socket.uncork();
      return ok ? Promise.resolve() : drained();
    },
    writeNow(frame) { return closed || socket.write(frame); },
    drained,
    get closed() { return closed; },
    onClose(fn) { closers.push(fn); },
    close() { if (!closed) res.end(); onGone(); },
  };
  return { sink, response: RESPONSE_ALREADY_SENT };
};
