// The client's connection as far as the runtime exposes it: on Node (@hono/node-server) the
// socket is in c.env.incoming. (The client's address is client-address.ts.)
import type { Context } from 'hono';

type NodeEnv = { incoming?: { socket?: { destroy(): void } } };

/** Drops the connection at once (a client that stopped reading keeps buffers alive otherwise). */
export function dropConnection(c: Context): void {
  (c.env as NodeEnv | undefined)?.incoming?.socket?.destroy();
}
