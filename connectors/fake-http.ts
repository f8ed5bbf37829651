// Shared by the fakes (connectors/<platform>/fake.ts): they are Node HTTP servers used by the
// tests and the sandbox, never by Parley itself.
import type { IncomingMessage } from 'node:http';

/** The whole request body, as the bytes that arrived (signatures are checked over these). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
