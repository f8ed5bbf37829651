// The client's connection as far as the runtime exposes it: on Node (@hono/node-server) the
// socket is in c.env.incoming; on Workers the address comes from CF-Connecting-IP.
import type { Context } from 'hono';

type NodeEnv = { incoming?: { socket?: { remoteAddress?: string; destroy(): void } } };

export function clientAddress(c: Context): string {
  return (c.env as NodeEnv | undefined)?.incoming?.socket?.remoteAddress ?? c.req.header('cf-connecting-ip') ?? 'unknown';
}

/** Drops the connection at once (a client that stopped reading keeps buffers alive otherwise). */
export function dropConnection(c: Context): void {
  (c.env as NodeEnv | undefined)?.incoming?.socket?.destroy();
}
