import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { registeredInboxSettings } from '../src/domain/inboxes/inbox-settings.js';

let p: TestParley;
beforeAll(async () => { p = await startTestParley(); });
afterAll(() => p.stop());

const count = async (table: string) => (await p.store.get<any>(`SELECT count(*) AS n FROM ${table}`)).n as number;

function expectError(r: { status: number; body: any }, status: number, code?: string) {
  expect(r.status).toBe(status);
  expect(typeof r.body.error.code).toBe('string');
  expect(r.body.error.code).toMatch(/^[a-z][a-z0-9_]*$/);
  expect(typeof r.body.error.message).toBe('string');
  if (code) expect(r.body.error.code).toBe(code);
}

describe('bad input', () => {
  it('malformed JSON is a 400 with the error shape', async () => {
    expectError(await p.api.post('/api/v1/inboxes', '{"name": "x",'), 400, 'malformed_json');
  });

  it('wrong types name the field', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 42, channel: 'webchat' });
    expectError(r, 400, 'invalid_request');
    expect(r.body.error.message).toContain('name');
  });

  it('unknown channel kinds are refused', async () => {
    expectError(await p.api.post('/api/v1/inboxes', { name: 'Fax', channel: 'fax', config: {} }), 400, 'unknown_channel');
  });

  it('invalid channel config names the field and writes nothing', async () => {
    const before = await count('inboxes');
    const r = await p.api.post('/api/v1/inboxes', { name: 'W', channel: 'webchat', config: { allowedOrigins: ['not a url'] } });
    expectError(r, 400, 'invalid_config');
    expect(r.body.error.message).toContain('config.allowedOrigins');
    expect(await count('inboxes')).toBe(before);
  });

  it('unknown ids are 404', async () => {
    expectError(await p.api.get('/api/v1/conversations/01NOPE'), 404, 'not_found');
    expectError(await p.api.post('/api/v1/conversations/01NOPE/messages', { content: 'x' }), 404);
    expectError(await p.api.post('/api/v1/inboxes/01NOPE/members', { userIds: ['x'] }), 404);
    expectError(await p.api.post('/webhooks/01NOPE', '{}'), 404);
    expectError(await p.api.post('/public/webchat/nope-nope-nope/sessions', {}), 404);
    expectError(await p.api.get('/api/v1/no-such-route'), 404);
  });

  it('bodies over 1 MB are 413 and nothing is stored', async () => {
    const inbox = await p.api.post('/api/v1/inboxes', { name: 'Big', channel: 'webchat', config: {} });
    const s = await p.api.post(`/public/webchat/${inbox.body.webchatToken}/sessions`, {});
    const before = await count('messages');
    const huge = JSON.stringify({ content: 'x'.repeat(1024 * 1024 + 10) });
    const r = await p.api.post(`/public/webchat/${inbox.body.webchatToken}/messages`, huge, { authorization: `Bearer ${s.body.visitorToken}` });
    expectError(r, 413, 'payload_too_large');
    expectError(await p.api.post('/api/v1/inboxes', huge), 413);
    expect(await count('messages')).toBe(before);
  });

  it('a body without a declared length (chunked) is counted as it streams: over 1 MB is 413', async () => {
    const before = await count('inboxes');
    const chunked = (text: string) => fetch(`${p.url}/api/v1/inboxes`, {
      method: 'POST', duplex: 'half',
      headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' },
      body: new ReadableStream({ start(c) { const b = new TextEncoder().encode(text); for (let i = 0; i < b.length; i += 65536) c.enqueue(b.subarray(i, i + 65536)); c.close(); } }),
    } as RequestInit);
    const big = await chunked(JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), channel: 'webchat', config: {} }));
    expectError({ status: big.status, body: await big.json() }, 413, 'payload_too_large');
    expect(await count('inboxes')).toBe(before);
    const small = await chunked(JSON.stringify({ name: 'Chunked', channel: 'webchat', config: {} }));
    expect(small.status).toBe(201);
    expect(await count('inboxes')).toBe(before + 1);
  });

  it('a bad cursor, limit or status is a 400', async () => {
    expectError(await p.api.get('/api/v1/conversations?cursor=%%%'), 400);
    expectError(await p.api.get('/api/v1/conversations?cursor=eyJ4IjoxfQ'), 400, 'invalid_cursor');
    expectError(await p.api.get('/api/v1/conversations?limit=1000'), 400);
    expectError(await p.api.get('/api/v1/conversations?status=closed'), 400);
  });

  it('empty replies, unknown assignees and bad snoozes are refused without writing', async () => {
    const inbox = await p.api.post('/api/v1/inboxes', { name: 'C', channel: 'webchat', config: {} });
    const s = await p.api.post(`/public/webchat/${inbox.body.webchatToken}/sessions`, {});
    await p.api.post(`/public/webchat/${inbox.body.webchatToken}/messages`, { content: 'hi' }, { authorization: `Bearer ${s.body.visitorToken}` });
    const conv = (await p.api.get(`/api/v1/conversations?inboxId=${inbox.body.id}`)).body.data[0];
    const before = await count('messages');
    expectError(await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '   ' }), 400);
    expectError(await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 5 }), 400);
    expectError(await p.api.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: 'nobody' }), 422, 'unknown_assignee');
    expectError(await p.api.post(`/api/v1/conversations/${conv.id}/status`, { status: 'snoozed' }), 400);
    expectError(await p.api.post(`/api/v1/conversations/${conv.id}/status`, { status: 'snoozed', snoozeUntil: '2001-01-01T00:00:00Z' }), 400);
    expect(await count('messages')).toBe(before);
    expect(await count('outbox')).toBe(0);
    // And the server is still alive.
    expect((await p.api.get('/healthz')).body).toEqual({ ok: true });
  });
});

describe('inbox settings', () => {
  it('are validated per key, naming the field, and null removes a key', async () => {
    const inbox = await p.api.post('/api/v1/inboxes', { name: 'S', channel: 'webchat', config: {} });
    const bad = await p.api.raw(`/api/v1/inboxes/${inbox.body.id}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { businessHours: { timezone: 'Mars/Olympus', weekly: {} } } }),
    });
    expect(bad.status).toBe(400);
    const body = await bad.json() as any;
    expect(body.error.code).toBe('invalid_settings');
    expect(body.error.message).toContain('settings.businessHours.timezone');
    const patch = (settings: unknown) => p.api.raw(`/api/v1/inboxes/${inbox.body.id}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ settings }),
    }).then((r) => r.json() as any);
    expect((await patch({ sla: { firstReplyMinutes: 30 }, custom: 1 })).settings).toMatchObject({ sla: { firstReplyMinutes: 30 }, custom: 1 });
    expect((await patch({ sla: null })).settings).toEqual({ custom: 1 });
    const create = await p.api.post('/api/v1/inboxes', { name: 'T', channel: 'webchat', config: {}, settings: { autoAssign: { enabled: 'yes' } } });
    expect(create.status).toBe(400);
    expect(create.body.error.message).toContain('settings.autoAssign.enabled');
  });

  it('every workflow area validates the settings key it registered (each area owns its schema)', async () => {
    const inbox = await p.api.post('/api/v1/inboxes', { name: 'R', channel: 'webchat', config: {} });
    const wrong: Record<string, unknown> = {
      autoAssign: { enabled: 'yes' }, businessHours: { timezone: 'Mars/Olympus', weekly: {} }, sla: { firstReplyMinutes: -5 },
      followUp: { afterHours: 'soon' }, csat: { enabled: 'sure' }, bot: { enabled: 3 },
    };
    expect(registeredInboxSettings().sort()).toEqual(Object.keys(wrong).sort());
    for (const [key, value] of Object.entries(wrong)) {
      const r = await p.api.patch(`/api/v1/inboxes/${inbox.body.id}`, { settings: { [key]: value } });
      expect(r.status, key).toBe(400);
      expect(r.body.error.message).toContain(`settings.${key}`);
    }
  });
});
