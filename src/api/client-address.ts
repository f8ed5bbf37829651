// The client's network address, for login throttling, rate limits and the audit log. Headers
// a client can set are believed only when the operator says a reverse proxy sets them
// (PARLEY_TRUST_PROXY=1); then the last X-Forwarded-For hop is the one that proxy appended.
import type { Context } from 'hono';
import type { Deps } from '../domain/deps.js';

type NodeBindings = { incoming?: { socket?: { remoteAddress?: string } } };

export function clientAddress(c: Context, deps: Pick<Deps, 'trustProxy'>): string {
  if (deps.trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1]!.slice(0, 64);
  }
  // Node (@hono/node-server) hands the IncomingMessage in as c.env.incoming.
  const socket = (c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress;
  if (socket) return socket.replace(/^::ffff:/, '');
  // Workers: Cloudflare sets this header itself; a client cannot forge it there.
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}
