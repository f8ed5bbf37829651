// guardedFetch on Node is undici's `request` with a Web Response around the body (see its
// comment): the parts of fetch the connectors rely on, checked against a real HTTP server.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardBody, fetchErrorMessage, guardedFetch, readBounded } from '../connectors/net-guard.js';

let server: Server, base: string;
const seen: { method: string; headers: IncomingMessage['headers']; body: string }[] = [];
let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => { unhandled.push(e); };

beforeAll(async () => {
  process.env.PARLEY_ALLOW_PRIVATE_NETWORK = '1';
  process.on('uncaughtException', onUnhandled);
  process.on('unhandledRejection', onUnhandled);
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method!, headers: req.headers, body });
      if (req.url === '/json') { res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] }).end('{"ok":true}'); return; }
      if (req.url === '/empty') { res.writeHead(204).end(); return; }
      if (req.url === '/moved') { res.writeHead(302, { location: '/json' }).end(); return; }
      if (req.url === '/fail') { res.writeHead(503, { 'retry-after': '7' }).end('down'); return; }
      if (req.url === '/slow-headers') return; // never answers
      if (req.url === '/endless') {
        // 1 MB a tick until the client goes away.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const timer = setInterval(() => { if (!res.write(Buffer.alloc(1 << 20, 0x61))) return; }, 1);
        res.on('close', () => clearInterval(timer));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  process.off('uncaughtException', onUnhandled);
  process.off('unhandledRejection', onUnhandled);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('guardedFetch', () => {
  it('sends method, headers and body; answers with status, reason, every header value and the body', async () => {
    const res = await guardedFetch(`${base}/json`, { method: 'post', headers: { 'content-type': 'application/json', 'x-one': '1' }, body: '{"a":1}' });
    expect([res.status, res.ok, res.statusText]).toEqual([201, true, 'Created']);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ ok: true });
    const got = seen.at(-1)!;
    expect([got.method, got.headers['x-one'], got.body]).toEqual(['POST', '1', '{"a":1}']);
  });

  it('uploads FormData as multipart with its boundary', async () => {
    const form = new FormData();
    form.set('chat_id', '42');
    form.set('photo', new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }), 'a.jpg');
    const res = await guardedFetch(`${base}/json`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    await res.text();
    const got = seen.at(-1)!;
    expect(got.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(got.body).toContain('name="chat_id"');
    expect(got.body).toContain('filename="a.jpg"');
  });

  it('returns a redirect without following it, a 204 without a body, a failure with its headers', async () => {
    const moved = await guardedFetch(`${base}/moved`);
    expect([moved.status, moved.headers.get('location')]).toEqual([302, '/json']);
    discardBody(moved);
    const empty = await guardedFetch(`${base}/empty`, { method: 'DELETE' });
    expect([empty.status, empty.body]).toEqual([204, null]);
    const fail = await guardedFetch(`${base}/fail`);
    expect([fail.status, fail.ok, fail.statusText, fail.headers.get('retry-after'), await fail.text()]).toEqual([503, false, 'Service Unavailable', '7', 'down']);
  });

  it('a reader that stops early ends the download, with no error left behind', async () => {
    unhandled = [];
    const res = await guardedFetch(`${base}/endless`);
    expect((await readBounded(res, 3 << 20)).length).toBe(3 << 20);
    const again = await guardedFetch(`${base}/endless`);
    discardBody(again);
    await new Promise((r) => setTimeout(r, 100));
    expect(unhandled).toEqual([]);
  });

  it('a timeout before the answer is "no answer in time"', async () => {
    const err = await guardedFetch(`${base}/slow-headers`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect(fetchErrorMessage(err)).toBe('no answer in time');
  });
});
