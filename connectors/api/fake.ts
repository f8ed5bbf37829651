// A fake "customer system" for the API channel, on loopback, for tests and the sandbox
// (`npm run demo`): it posts signed messages into a Parley inbox and receives the replies on
// its callback URL, checking Parley's signature.
//
//   startApiFake(opts?: { secret?: string }): Promise<ApiFake>
//
//   fake.callbackUrl                 where Parley should POST replies (config.callbackUrl)
//   fake.inboxConfig(extra?)         an api inbox config: { secret, callbackUrl }
//   fake.sendMessage(webhookUrl, { messageId?, conversationId, contact, content, sentAt? },
//                    { timestamp?: number (unix s), signature?: string | null, secret?: string, rawBody?: string })
//                                    POSTs a signed message; returns { status, body, payload, rawBody }
//   fake.callbacks                   replies received: { body, headers, signatureValid }
//   fake.failNext(n, status, { retryAfter? })  the next n callbacks are answered with status
//   fake.close()
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parleySignature, verifyParleySignature, type ApiConfig } from './index.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, type CallbackBody, type InboundApiMessage } from './wire.js';
import { readBody } from '../fake-http.js';

export interface ApiFakeCallback { body: CallbackBody; headers: Record<string, string>; signatureValid: boolean }
export interface ApiFake {
  url: string;
  callbackUrl: string;
  secret: string;
  callbacks: ApiFakeCallback[];
  inboxConfig(extra?: Partial<ApiConfig>): ApiConfig;
  sendMessage(webhookUrl: string, msg: Omit<InboundApiMessage, 'messageId'> & { messageId?: string },
    opts?: { timestamp?: number; signature?: string | null; secret?: string; rawBody?: string }): Promise<{ status: number; body: any; payload: InboundApiMessage; rawBody: string }>;
  failNext(n: number, status: number, opts?: { retryAfter?: number }): void;
  close(): Promise<void>;
}

let seq = 0;

export async function startApiFake(opts: { secret?: string } = {}): Promise<ApiFake> {
  const secret = opts.secret ?? 'api-channel-shared-secret-0001';
  const callbacks: ApiFakeCallback[] = [];
  const failures: { left: number; status: number; retryAfter?: number }[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/callback') { res.writeHead(404).end(); return; }
    const raw = await readBody(req);
    const headers = new Headers(Object.entries(req.headers).map(([k, v]): [string, string] => [k, String(v)]));
    const signatureValid = await verifyParleySignature(secret, headers, raw);
    if (!signatureValid) { res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}'); return; }
    const f = failures.find((x) => x.left > 0);
    if (f) { f.left--; res.writeHead(f.status, { 'content-type': 'application/json', ...(f.retryAfter ? { 'retry-after': String(f.retryAfter) } : {}) }).end(JSON.stringify({ error: `told to answer ${f.status}` })); return; }
    callbacks.push({ body: JSON.parse(new TextDecoder().decode(raw)), headers: Object.fromEntries(headers), signatureValid });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
  };
  const server = createServer((req, res) => { handle(req, res).catch(() => res.writeHead(500).end()); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url, callbackUrl: `${url}/callback`, secret, callbacks,
    inboxConfig: (extra = {}) => ({ secret, callbackUrl: `${url}/callback`, ...extra }),
    async sendMessage(webhookUrl, msg, o = {}) {
      const payload = { messageId: msg.messageId ?? `ext-${Date.now()}-${++seq}`, ...msg } as InboundApiMessage;
      const rawBody = o.rawBody ?? JSON.stringify(payload);
      const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
      const signature = o.signature === undefined ? await parleySignature(o.secret ?? secret, ts, rawBody) : o.signature;
      const res = await fetch(webhookUrl, {
        method: 'POST', body: rawBody,
        headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: ts, ...(signature === null ? {} : { [SIGNATURE_HEADER]: signature }) },
      });
      const text = await res.text();
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* not json */ }
      return { status: res.status, body, payload, rawBody };
    },
    failNext(n, status, o = {}) { failures.push({ left: n, status, retryAfter: o.retryAfter }); },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
