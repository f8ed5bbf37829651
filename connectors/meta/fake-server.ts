// The HTTP core the three Meta fakes share: a real node:http server on loopback that checks
// the access token like the Graph API, records every call, can be told to fail the next N
// calls (429/5xx/4xx with Graph's error body and an optional Retry-After), and pushes
// webhooks signed with X-Hub-Signature-256 over Meta-style escaped JSON.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubSignature, metaJson } from './signature.js';
import { readBody } from '../fake-http.js';

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  raw: string;
  /** The body's bytes (files: media uploads, multipart attachments). */
  bytes: Buffer;
  /** HTTP status the fake answered. */
  status: number;
}

export interface FailureSpec {
  status: number;
  /** Graph error body; a fitting default is used when absent. */
  body?: unknown;
  /** Retry-After header value (seconds). */
  retryAfter?: number | string;
  /** Which calls fail: sends only (default) or any call, profile lookups included. */
  match?: 'send' | 'any';
  /** Let this many matching calls through first (fail the second send of a reply with two files). */
  after?: number;
}

export interface RouteResult {
  status: number;
  body: unknown;
  /** Answer with these bytes instead of JSON (a media download). */
  file?: { data: Uint8Array; contentType: string };
  /** Runs before the answer is written (e.g. an echo webhook that overtakes the API response). */
  before?: () => Promise<unknown>;
}
export type Route = (call: RecordedCall) => RouteResult | null | Promise<RouteResult | null>;

export type SignatureMode = 'valid' | 'bad' | 'none';
export interface PushOptions { signature?: SignatureMode; appSecret?: string }
export interface PushResult { status: number; body: string; raw: string }

export function graphErrorBody(code: number, message: string, extra: Record<string, unknown> = {}) {
  return { error: { message, type: 'OAuthException', code, fbtrace_id: `Fk${Math.random().toString(36).slice(2, 12)}`, ...extra } };
}

function defaultFailureBody(status: number) {
  if (status === 429) return graphErrorBody(4, '(#4) Application request limit reached', { is_transient: true });
  if (status >= 500) return graphErrorBody(2, 'An unexpected error has occurred. Please retry your request later.', { is_transient: true });
  return graphErrorBody(100, '(#100) Invalid parameter');
}

export class GraphFakeServer {
  readonly calls: RecordedCall[] = [];
  /** Files served without a token, like Meta's CDN (path -> bytes). */
  readonly cdn = new Map<string, { data: Uint8Array; contentType: string }>();
  private failures: FailureSpec[] = [];
  url = '';

  private constructor(private server: Server, private token: string, readonly appSecret: string, private route: Route) {}

  static async start(opts: { token: string; appSecret: string; route: Route; host?: string; port?: number }): Promise<GraphFakeServer> {
    let self: GraphFakeServer | undefined;
    const server = createServer((req, res) => { void self!.handle(req, res); });
    self = new GraphFakeServer(server, opts.token, opts.appSecret, opts.route);
    await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
    const addr = server.address() as AddressInfo;
    self.url = `http://${opts.host ?? '127.0.0.1'}:${addr.port}`;
    return self;
  }

  /** Serves bytes without a token at a CDN-like URL (what Messenger/Instagram webhooks link to). */
  hostFile(data: Uint8Array, contentType: string, name = 'file'): string {
    const path = `/cdn/v/t39.${fakeId('')}/${encodeURIComponent(name)}`;
    this.cdn.set(path, { data, contentType });
    return `${this.url}${path}?_nc_cat=1&oh=fake&oe=${Math.floor(Date.now() / 1000 + 3600).toString(16)}`;
  }

  /** The next `n` matching calls are answered with this failure instead of being served. */
  failNext(n: number, spec: FailureSpec): void {
    for (let i = 0; i < n; i++) this.failures.push(spec);
  }

  /** Forget recorded calls and pending failures. */
  reset(): void {
    this.calls.length = 0;
    this.failures = [];
  }

  /** POSTs a webhook body to `url` the way Meta does: escaped JSON, signed with the app secret. */
  async pushWebhook(url: string, payload: unknown, opts: PushOptions = {}): Promise<PushResult> {
    const raw = typeof payload === 'string' ? payload : metaJson(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
    const mode = opts.signature ?? 'valid';
    if (mode === 'valid') headers['x-hub-signature-256'] = await hubSignature(opts.appSecret ?? this.appSecret, raw);
    if (mode === 'bad') headers['x-hub-signature-256'] = await hubSignature(`${opts.appSecret ?? this.appSecret}-wrong`, raw);
    const res = await fetch(url, { method: 'POST', headers, body: raw });
    return { status: res.status, body: await res.text(), raw };
  }

  /** Meta's subscription check against a webhook URL (what "Verify and save" does). */
  async verifySubscription(url: string, verifyToken: string, challenge = String(Math.floor(Math.random() * 1e9))): Promise<{ status: number; body: string; challenge: string }> {
    const u = new URL(url);
    u.searchParams.set('hub.mode', 'subscribe');
    u.searchParams.set('hub.verify_token', verifyToken);
    u.searchParams.set('hub.challenge', challenge);
    const res = await fetch(u);
    return { status: res.status, body: await res.text(), challenge };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const u = new URL(req.url ?? '/', 'http://fake');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    let body: unknown = raw;
    if ((headers['content-type'] ?? '').includes('json') && raw) {
      try { body = JSON.parse(raw); } catch { body = raw; }
    }
    const call: RecordedCall = { method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams), headers, body, raw, bytes, status: 0 };
    this.calls.push(call);
    const answer = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...extra });
      res.end(JSON.stringify(payload));
    };

    const isSend = call.method === 'POST' && /\/messages$/.test(call.path);
    let idx = this.failures.findIndex((f) => (f.match ?? 'send') === 'any' || isSend);
    if (idx >= 0 && this.failures[idx].after) {
      this.failures[idx] = { ...this.failures[idx], after: this.failures[idx].after! - 1 };
      idx = -1;
    }
    if (idx >= 0) {
      const [f] = this.failures.splice(idx, 1);
      return answer(f.status, f.body ?? defaultFailureBody(f.status), f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
    }

    const cdn = this.cdn.get(call.path);
    if (cdn && call.method === 'GET') {
      call.status = 200;
      res.writeHead(200, { 'content-type': cdn.contentType, 'content-length': String(cdn.data.byteLength) });
      return res.end(cdn.data);
    }
    // Meta's CDN answers an unknown or expired signed URL with 403.
    if (call.path.startsWith('/cdn/') && call.method === 'GET') return answer(403, { error: 'URL signature expired' });
    const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
    const token = bearer ?? call.query.access_token;
    if (!token) return answer(400, graphErrorBody(2500, 'An active access token must be used to query information about the current user.'));
    if (token !== this.token) return answer(400, graphErrorBody(190, 'Invalid OAuth access token - Cannot parse access token'));

    const out = await this.route(call);
    if (out?.before) await out.before().catch(() => undefined);
    if (!out) return answer(400, graphErrorBody(100, `Unsupported ${call.method} request. Object with ID '${call.path.split('/').pop()}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { error_subcode: 33 }));
    if (out.file) {
      call.status = out.status;
      res.writeHead(out.status, { 'content-type': out.file.contentType, 'content-length': String(out.file.data.byteLength) });
      return res.end(out.file.data);
    }
    return answer(out.status, out.body);
  }
}

let seq = 0;
/** Platform-looking ids for the fakes. */
export function fakeId(prefix: string): string {
  seq++;
  return `${prefix}${Date.now().toString(36)}${seq.toString(36).padStart(4, '0')}${Math.random().toString(36).slice(2, 8)}`;
}
