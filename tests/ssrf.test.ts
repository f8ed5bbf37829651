// Outgoing requests to admin-configured addresses: loopback, private, link-local and metadata
// addresses are refused (after DNS resolution) unless PARLEY_ALLOW_PRIVATE_NETWORK=1, redirects
// are not followed, and a failed call's body never reaches a message or a delivery log.
// The suite runs with the variable set (vitest.config.ts); these tests unset it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../connectors/api/index.js';
import { pollMailbox } from '../connectors/email/imap.js';
import { sendEmail } from '../connectors/email/smtp.js';
import { emailConfig } from '../connectors/email/config.js';
import { graphRequest } from '../connectors/meta/graph.js';
import { assertPublicHost, isBlockedAddress, PrivateNetworkError } from '../connectors/net-guard.js';
import { sms } from '../connectors/sms/index.js';
import { callTelegram } from '../connectors/telegram/index.js';
import { twitter } from '../connectors/twitter/index.js';
import { PermanentError, type OutboundMessage } from '../connectors/types.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueWebhooks } from '../src/domain/integrations/outgoing-webhooks.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';
import { reactionsSettled } from '../src/domain/reactions.js';

const SECRET_BODY = 'internal-only: db password hunter2';

/** Records every request; answers with a scripted status and a body that must never be echoed. */
async function recorder() {
  const hits: string[] = [];
  let answer: { status: number; headers?: Record<string, string> } = { status: 500 };
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => { res.writeHead(answer.status, { 'content-type': 'text/plain', connection: 'close', ...answer.headers }); res.end(SECRET_BODY); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { hits, port, url: `http://127.0.0.1:${port}`, answer: (a: typeof answer) => { answer = a; }, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

let rec: Awaited<ReturnType<typeof recorder>>;
let other: Awaited<ReturnType<typeof recorder>>;
const guardOn = () => { delete process.env.PARLEY_ALLOW_PRIVATE_NETWORK; };
afterEach(() => { process.env.PARLEY_ALLOW_PRIVATE_NETWORK = '1'; });
beforeAll(async () => { rec = await recorder(); other = await recorder(); });
afterAll(async () => { await rec.close(); await other.close(); });

const msg: OutboundMessage = { messageId: 'm1', conversationId: 'c1', threadKey: '42', recipient: { externalId: '42', phone: '+15550001', email: 'c@example.com' }, text: 'hi', threadExternalIds: [], attachments: [] };

describe('the address check', () => {
  it('blocks loopback, private, link-local, CGNAT, metadata and mapped forms; passes public addresses', () => {
    for (const ip of ['127.0.0.1', '127.1.2.3', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.100.100.200',
      '0.0.0.0', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe']) {
      expect(isBlockedAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isBlockedAddress(ip), ip).toBe(false);
  });

  it('checks names after resolving them (localhost is loopback)', async () => {
    guardOn();
    await expect(assertPublicHost('localhost')).rejects.toBeInstanceOf(PrivateNetworkError);
    await expect(assertPublicHost('127.0.0.1')).rejects.toBeInstanceOf(PrivateNetworkError);
    process.env.PARLEY_ALLOW_PRIVATE_NETWORK = '1';
    await expect(assertPublicHost('localhost')).resolves.toBeUndefined();
  });
});

describe('every connector that calls a configurable address', () => {
  it('API channel callback: refused on loopback (by name too); when allowed, the answer body is not echoed', async () => {
    guardOn();
    const cfg = { secret: 'x'.repeat(32), callbackUrl: `http://localhost:${rec.port}/cb` };
    await expect(api.send(cfg, msg)).rejects.toThrow(PermanentError);
    await expect(api.send(cfg, msg)).rejects.toThrow(/refused to connect to localhost/);
    expect(rec.hits).toEqual([]);
    process.env.PARLEY_ALLOW_PRIVATE_NETWORK = '1';
    const err = await api.send(cfg, msg).catch((e: Error) => e);
    expect(rec.hits).toHaveLength(1);
    expect((err as Error).message).toBe('The callback URL answered 500 Internal Server Error');
    rec.hits.length = 0;
  });

  it('Telegram, SMS, Graph (Messenger/Instagram/WhatsApp) and X API roots: refused, nothing reaches the server', async () => {
    guardOn();
    await expect(callTelegram({ botToken: '1:x', apiBaseUrl: rec.url }, 'getMe', {})).rejects.toThrow(/refused to connect/);
    await expect(sms.send({ accountSid: 'AC1', authToken: 't', fromNumber: '+1555', apiBaseUrl: `http://localhost:${rec.port}` } as never, msg)).rejects.toThrow(/refused to connect/);
    await expect(graphRequest({ baseUrl: rec.url, path: '/v21.0/me/messages', token: 't', body: {} })).rejects.toThrow(/refused to connect/);
    await expect(graphRequest({ baseUrl: `http://localhost:${rec.port}`, path: '/v21.0/me/messages', token: 't', body: {} })).rejects.toThrow(/refused to connect/);
    const x = { userId: '1', appKey: 'k', appSecret: 's', accessToken: 'a', accessSecret: 'b' };
    await expect(twitter.send({ ...x, apiBaseUrl: rec.url }, msg)).rejects.toThrow(/refused to connect/);
    await expect(twitter.send({ ...x, apiBaseUrl: `http://localhost:${rec.port}` }, msg)).rejects.toThrow(/refused to connect/);
    expect(rec.hits).toEqual([]);
  });

  it('SMS: a failed answer with a body that is not the platform\'s error format is not echoed', async () => {
    const err = await sms.send({ accountSid: 'AC1', authToken: 't', fromNumber: '+1555', apiBaseUrl: rec.url } as never, msg).catch((e: Error) => e);
    expect((err as Error).message).not.toContain('hunter2');
    rec.hits.length = 0;
  });

  it('IMAP and SMTP hosts: refused before connecting', async () => {
    guardOn();
    const c = emailConfig.parse({ address: 's@example.com', allowPlaintext: true,
      imap: { host: 'localhost', port: rec.port, secure: false, user: 'u', password: 'p' },
      smtp: { host: '127.0.0.1', port: rec.port, secure: false } });
    await expect(pollMailbox(c, null)).rejects.toThrow(/refused to connect to localhost/);
    // Email replies go to the identity's address (externalId), not a profile field.
    await expect(sendEmail(c, { ...msg, recipient: { ...msg.recipient, externalId: 'c@example.com' } })).rejects.toThrow(/refused to connect to 127\.0\.0\.1/);
    expect(rec.hits).toEqual([]);
  });
});

describe('outgoing webhooks', () => {
  const clock = manualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
  let p: TestParley;
  let webchatToken: string;
  beforeAll(async () => {
    p = await startTestParley({ clock });
    webchatToken = (await p.api.post('/api/v1/inboxes', { name: 'Site', channel: 'webchat', config: {} })).body.webchatToken;
  });
  afterAll(() => p.stop());
  async function visitorSays(text: string) {
    const s = await apiClient(p.url).post(`/public/webchat/${webchatToken}/sessions`, { name: 'Visitor' });
    expect((await apiClient(p.url, s.body.visitorToken).post(`/public/webchat/${webchatToken}/messages`, { content: text })).status).toBe(201);
    await reactionsSettled(p.deps);
  }
  const lastDelivery = async (id: string) => (await p.api.get(`/api/v1/webhooks/${id}/deliveries`)).body.data[0];

  it('a hook on a private address fails for good without a request; allowed, its answer body stays out of the log; redirects are not followed', async () => {
    const hook = await p.api.post('/api/v1/webhooks', { url: `http://localhost:${rec.port}/hook`, events: ['message.created'] });
    expect(hook.status).toBe(201);
    await visitorSays('hello');
    guardOn();
    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 1, failed: 1 });
    expect(rec.hits).toEqual([]);
    expect((await lastDelivery(hook.body.id)).lastError).toMatch(/refused to connect to localhost/);
    await p.api.raw(`/api/v1/webhooks/${hook.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${p.adminToken}` } });

    process.env.PARLEY_ALLOW_PRIVATE_NETWORK = '1';
    const h2 = await p.api.post('/api/v1/webhooks', { url: `${rec.url}/hook2`, events: ['message.created'] });
    rec.answer({ status: 302, headers: { location: `${other.url}/stolen` } });
    await visitorSays('again');
    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 1, retrying: 1 });
    expect(rec.hits).toHaveLength(1);
    expect(other.hits).toEqual([]);
    rec.answer({ status: 500 });
    clock.advance(10 * 60_000);
    await deliverDueWebhooks(p.deps);
    const d = await lastDelivery(h2.body.id);
    expect(d.lastError).toBe('HTTP 500 Internal Server Error');
    expect(JSON.stringify((await p.api.get(`/api/v1/webhooks/${h2.body.id}/deliveries`)).body)).not.toContain('hunter2');
  });
});
