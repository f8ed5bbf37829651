// A receiver for the API channel's reply callbacks (the wire format of connectors/api/wire.ts)
// whose behaviour a test scripts: slow answers, 429 with or without Retry-After, 5xx, hanging,
// connection resets, or being down. Records each reply id the moment its request arrives, so
// "received" includes requests whose answer the sender never saw.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour =
  | { kind: 'ok'; delayMs?: number | (() => number) }
  | { kind: 'status'; status: number; retryAfter?: number }
  | { kind: 'reset' }
  | { kind: 'hang' };

export interface CallbackFake {
  url: string;
  /** Reply ids in the order their requests arrived (duplicates kept). */
  received: string[];
  /** Reply ids answered 2xx, with when. */
  accepted: { id: string; at: number }[];
  /** What the next request meets: a function of the request number, or one behaviour for all. */
  behave(b: Behaviour | ((n: number) => Behaviour)): void;
  close(): Promise<void>;
}

export async function startCallbackFake(): Promise<CallbackFake> {
  const received: string[] = [];
  const accepted: { id: string; at: number }[] = [];
  let script: (n: number) => Behaviour = () => ({ kind: 'ok' });
  let n = 0;
  const sockets = new Set<Socket>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const b = script(n++);
    let id = '?';
    try { id = JSON.parse(Buffer.concat(chunks).toString('utf8')).message.id; } catch { /* counted as '?' */ }
    if (b.kind === 'reset') { req.socket.destroy(); return; }
    if (b.kind === 'hang') return; // never answers; the sender's timeout decides
    if (b.kind === 'status') {
      res.writeHead(b.status, { 'content-type': 'application/json', ...(b.retryAfter != null ? { 'retry-after': String(b.retryAfter) } : {}) });
      res.end(JSON.stringify({ error: `status ${b.status}` }));
      return;
    }
    received.push(id);
    const delay = typeof b.delayMs === 'function' ? b.delayMs() : b.delayMs ?? 0;
    if (delay) await new Promise((r) => setTimeout(r, delay));
    accepted.push({ id, at: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };
  const server = createServer((req, res) => { handle(req, res).catch(() => res.destroy()); });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    received, accepted,
    behave(b) { script = typeof b === 'function' ? b : () => b; },
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
