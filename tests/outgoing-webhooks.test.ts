import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { BASE_BACKOFF_MS, deliverDueWebhooks, MAX_ATTEMPTS, MAX_BACKOFF_MS } from '../src/domain/integrations/outgoing-webhooks.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';
import { reactionsSettled } from '../src/domain/reactions.js';

interface Received { headers: IncomingHttpHeaders; body: string }

/** A real HTTP endpoint on loopback answering with the next scripted status (then 200). */
async function receiver() {
  const received: Received[] = [];
  const script: { status: number; headers?: Record<string, string> }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const next = script.shift() ?? { status: 200 };
      res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
      res.end(next.status >= 300 ? 'temporarily broken' : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { server, url, received, script, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const clock = manualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
let p: TestParley;
let webchatToken: string;
let hook: Awaited<ReturnType<typeof receiver>>;

async function visitorSays(text: string) {
  const pub = apiClient(p.url);
  const s = await pub.post(`/public/webchat/${webchatToken}/sessions`, { name: 'Visitor' });
  const sent = await apiClient(p.url, s.body.visitorToken).post(`/public/webchat/${webchatToken}/messages`, { content: text });
  expect(sent.status).toBe(201);
  await reactionsSettled(p.deps);
  return sent.body;
}

const del = (path: string, token: string) => fetch(p.url + path, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  p = await startTestParley({ clock });
  hook = await receiver();
  webchatToken = (await p.api.post('/api/v1/inboxes', { name: 'Site', channel: 'webchat', config: {} })).body.webchatToken;
});
afterAll(async () => { await hook.close(); await p.stop(); });

describe('outgoing webhooks', () => {
  it('signs with the secret shown once, retries 500/503 with backoff (Retry-After honoured) and keeps the delivery id', async () => {
    const created = await p.api.post('/api/v1/webhooks', { url: hook.url, events: ['message.created'] });
    expect(created.status).toBe(201);
    const { id, secret } = created.body;
    expect(secret).toMatch(/^whsec_/);
    const listed = await p.api.get('/api/v1/webhooks');
    expect(listed.body.data).toEqual([expect.objectContaining({ id, url: hook.url, events: ['message.created'] })]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify((await p.api.get(`/api/v1/webhooks/${id}`)).body)).not.toContain(secret);

    hook.script.push({ status: 500 }, { status: 503, headers: { 'retry-after': '120' } });
    const msg = await visitorSays('我的银行卡无法绑定');

    // Only message.created matches the filter: one delivery, pending.
    let log = await p.api.get(`/api/v1/webhooks/${id}/deliveries`);
    expect(log.body.data).toHaveLength(1);
    const deliveryId = log.body.data[0].id;
    expect(log.body.data[0]).toMatchObject({ eventType: 'message.created', status: 'pending', attempts: 0 });

    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 1, retrying: 1 });
    log = await p.api.get(`/api/v1/webhooks/${id}/deliveries`);
    expect(log.body.data[0]).toMatchObject({ id: deliveryId, status: 'pending', attempts: 1, responseCode: 500, nextAttemptAt: new Date(clock.now() + BASE_BACKOFF_MS).toISOString() });
    expect(log.body.data[0].lastError).toMatch(/^HTTP 500/);
    // Not due yet: nothing is sent.
    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 0 });
    expect(hook.received).toHaveLength(1);

    clock.advance(BASE_BACKOFF_MS);
    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 1, retrying: 1 });
    log = await p.api.get(`/api/v1/webhooks/${id}/deliveries`);
    // Backoff would be 60 s; the endpoint asked for 120 s.
    expect(log.body.data[0]).toMatchObject({ status: 'pending', attempts: 2, responseCode: 503, nextAttemptAt: new Date(clock.now() + 120_000).toISOString() });

    clock.advance(119_000);
    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 0 });
    clock.advance(1_000);
    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 1, delivered: 1 });
    log = await p.api.get(`/api/v1/webhooks/${id}/deliveries`);
    expect(log.body.data[0]).toMatchObject({ id: deliveryId, status: 'delivered', attempts: 3, responseCode: 200, lastError: null, nextAttemptAt: null });

    expect(hook.received).toHaveLength(3);
    for (const r of hook.received) {
      expect(r.headers['x-parley-delivery']).toBe(deliveryId);
      expect(r.headers['x-parley-event']).toBe('message.created');
      expect(r.body).toBe(hook.received[0].body);
      // What a receiver does: HMAC-SHA256 over `${timestamp}.${raw body}` with the shown secret.
      const expected = 'sha256=' + createHmac('sha256', secret).update(`${r.headers['x-parley-timestamp']}.${r.body}`).digest('hex');
      expect(r.headers['x-parley-signature']).toBe(expected);
      const forged = 'sha256=' + createHmac('sha256', 'wrong-secret').update(`${r.headers['x-parley-timestamp']}.${r.body}`).digest('hex');
      expect(r.headers['x-parley-signature']).not.toBe(forged);
    }
    // The timestamp is the attempt's (fresh on every retry), in seconds.
    expect(Number(hook.received[2].headers['x-parley-timestamp'])).toBe(Math.floor(clock.now() / 1000));
    expect(hook.received[0].headers['x-parley-timestamp']).not.toBe(hook.received[2].headers['x-parley-timestamp']);
    const body = JSON.parse(hook.received[2].body);
    expect(body).toMatchObject({ id: deliveryId, event: 'message.created', data: { message: { id: msg.id, content: '我的银行卡无法绑定' } } });
    expect(body.conversationId).toBe(body.data.message.conversationId);

    // Delivered rows are never sent again.
    clock.advance(MAX_BACKOFF_MS);
    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 0 });
    expect((await del(`/api/v1/webhooks/${id}`, p.adminToken)).status).toBe(204);
  });

  it('gives up after the maximum attempts on network errors, logging each; filters by prefix and "*"', async () => {
    const dead = await receiver();
    const deadUrl = dead.url;
    await dead.close();
    const failing = await p.api.post('/api/v1/webhooks', { url: deadUrl, events: ['*'] });
    const convOnly = await p.api.post('/api/v1/webhooks', { url: hook.url, events: ['conversation.*'] });
    expect([failing.status, convOnly.status]).toEqual([201, 201]);
    hook.received.length = 0;
    await visitorSays('hello');

    const types = (await p.api.get(`/api/v1/webhooks/${convOnly.body.id}/deliveries`)).body.data.map((d: any) => d.eventType);
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((t: string) => t.startsWith('conversation.'))).toBe(true);
    expect(types).toContain('conversation.created');
    const all = (await p.api.get(`/api/v1/webhooks/${failing.body.id}/deliveries?limit=100`)).body.data;
    expect(all.map((d: any) => d.eventType)).toEqual(expect.arrayContaining(['conversation.created', 'message.created']));

    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await deliverDueWebhooks(p.deps);
      clock.advance(MAX_BACKOFF_MS);
    }
    const after = (await p.api.get(`/api/v1/webhooks/${failing.body.id}/deliveries?limit=100`)).body.data;
    expect(after).toHaveLength(all.length);
    for (const d of after) {
      expect(d).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, responseCode: null, nextAttemptAt: null });
      expect(d.lastError).toMatch(/^network: /);
    }
    expect(await deliverDueWebhooks(p.deps)).toMatchObject({ claimed: 0 });
    // The working endpoint got exactly its conversation events, each once.
    expect(hook.received.map((r) => r.headers['x-parley-event']).sort()).toEqual([...types].sort());

    // Redeliver puts a failed delivery back with the same id.
    const again = await p.api.post(`/api/v1/webhooks/${failing.body.id}/deliveries/${after[0].id}/redeliver`);
    expect(again.body).toMatchObject({ id: after[0].id, status: 'pending', attempts: 0 });

    expect((await del(`/api/v1/webhooks/${failing.body.id}`, p.adminToken)).status).toBe(204);
    expect((await p.api.get(`/api/v1/webhooks/${failing.body.id}/deliveries`)).status).toBe(404);
    expect(p.store.sqlite.prepare('SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?').get(failing.body.id)).toEqual({ n: 0 });
  });

  it('only admins manage webhooks; bad input is refused with the field named', async () => {
    const lead = await p.createUser('lead');
    expect((await p.as(lead.token).post('/api/v1/webhooks', { url: hook.url, events: ['*'] })).status).toBe(403);
    expect((await p.as(lead.token).get('/api/v1/webhooks')).status).toBe(403);
    const noEvents = await p.api.post('/api/v1/webhooks', { url: hook.url, events: [] });
    expect(noEvents.status).toBe(400);
    expect(noEvents.body.error.message).toMatch(/events/);
    const ftp = await p.api.post('/api/v1/webhooks', { url: 'ftp://example.com/x', events: ['*'] });
    expect(ftp.status).toBe(400);
    expect(ftp.body.error.message).toMatch(/url/);
    expect((await p.api.post('/api/v1/webhooks', { url: hook.url, events: ['Message Created!'] })).status).toBe(400);
    expect((await del('/api/v1/webhooks/nope', p.adminToken)).status).toBe(404);
  });
});
