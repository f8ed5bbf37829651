// A fake of Resend's send API on loopback (POST /emails, Bearer key, Idempotency-Key), for tests
// and the sandbox: the inbox's config points at it with apiBaseUrl.
//
//   startMailApiFake(opts?: { apiKey?: string }): Promise<MailApiFake>
//
//   fake.url                  API root (config.apiBaseUrl)
//   fake.apiKey               the only key accepted (others: 401 validation_error)
//   fake.mailApi()            { provider: 'resend', apiKey } for an email inbox's config
//   fake.sent                 accepted emails: { id, body, idempotencyKey }
//   fake.failNext(n, status)  the next n sends answer status (429 with retry-after: 1)
//   fake.close()
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readBody } from '../fake-http.js';
import type { MailApiEmail } from './mail-api.js';

export interface MailApiFake {
  url: string;
  apiKey: string;
  mailApi(): { provider: 'resend'; apiKey: string };
  sent: { id: string; body: MailApiEmail; idempotencyKey: string | null }[];
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

export async function startMailApiFake(opts: { apiKey?: string } = {}): Promise<MailApiFake> {
  const apiKey = opts.apiKey ?? 're_test_0123456789abcdef';
  const sent: MailApiFake['sent'] = [];
  const byKey = new Map<string, { body: string; id: string }>();
  let failing = { left: 0, status: 500 };
  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = (await readBody(req)).toString('utf8');
    if (req.method !== 'POST' || req.url !== '/emails') return answer(res, 404, { statusCode: 404, name: 'not_found', message: 'The requested endpoint does not exist.' });
    if (req.headers.authorization !== `Bearer ${apiKey}`) return answer(res, 401, { statusCode: 401, name: 'validation_error', message: 'API key is invalid' });
    if (failing.left > 0) {
      failing.left--;
      return answer(res, failing.status, { statusCode: failing.status, name: failing.status === 429 ? 'rate_limit_exceeded' : 'internal_server_error', message: 'Try again later' }, failing.status === 429 ? { 'retry-after': '1' } : {});
    }
    let body: MailApiEmail;
    try { body = JSON.parse(raw) as MailApiEmail; } catch { return answer(res, 400, { statusCode: 400, name: 'validation_error', message: 'Invalid JSON' }); }
    if (!body.from || !Array.isArray(body.to) || body.to.length === 0 || !body.subject || (typeof body.text !== 'string' && typeof (body as { html?: string }).html !== 'string')) {
      return answer(res, 422, { statusCode: 422, name: 'validation_error', message: 'Missing `from`, `to`, `subject` or content' });
    }
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    if (key) {
      const seen = byKey.get(key);
      if (seen && seen.body !== raw) return answer(res, 409, { statusCode: 409, name: 'invalid_idempotent_request', message: 'Same idempotency key used with a different request payload.' });
      if (seen) return answer(res, 200, { id: seen.id });
    }
    const id = randomUUID();
    if (key) byKey.set(key, { body: raw, id });
    sent.push({ id, body, idempotencyKey: key });
    return answer(res, 200, { id });
  };
  const server = createServer((req, res) => { handle(req, res).catch(() => { res.statusCode = 500; res.end(); }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, apiKey, sent,
    mailApi: () => ({ provider: 'resend', apiKey }),
    failNext(n, status) { failing = { left: n, status }; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
