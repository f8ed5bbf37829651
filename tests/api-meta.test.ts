import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/domain/ingest/ingest.js';
import { collectSse, startTestParley, type TestParley } from './helpers/parley.js';
import { inboundMessage } from './helpers/inbound.js';

let p: TestParley;
beforeAll(async () => { p = await startTestParley(); });
afterAll(() => p.stop());

describe('health and OpenAPI', () => {
  it('GET /healthz', async () => {
    expect(await p.api.get('/healthz')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('serves an OpenAPI document generated from the request schemas', async () => {
    const r = await p.api.get('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    for (const path of ['/inboxes', '/inboxes/{id}/members', '/conversations', '/conversations/{id}', '/conversations/{id}/messages', '/conversations/{id}/assign', '/conversations/{id}/status', '/conversations/{id}/labels']) {
      expect(Object.keys(r.body.paths)).toContain(path);
    }
    const create = r.body.paths['/conversations/{id}/status'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(create)).toContain('snoozed');
  });
});

describe('agent event stream', () => {
  it('streams only events of inboxes the agent may see', async () => {
    const a = (await p.api.post('/api/v1/inboxes', { name: 'A', channel: 'webchat', config: {} })).body.id;
    const b = (await p.api.post('/api/v1/inboxes', { name: 'B', channel: 'webchat', config: {} })).body.id;
    const agent = await p.createUser('agent', 'Streamer');
    await p.api.post(`/api/v1/inboxes/${a}/members`, { userIds: [agent.id] });
    const res = await fetch(`${p.url}/api/v1/events`, { headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const ev = (inbox: string, id: string) => ingest(p.deps, { id: inbox, channel: 'webchat' }, [inboundMessage({ externalId: id, text: id })]);
    setTimeout(async () => { await ev(b, 'for-b'); await ev(a, 'for-a'); }, 100);
    const events = await collectSse(res, (es) => es.some((e) => e.event === 'message.created' && e.data.message.content === 'for-a'));
    const contents = events.filter((e) => e.event === 'message.created').map((e) => e.data.message.content);
    expect(contents).toEqual(['for-a']);
    expect(events.some((e) => e.event === 'conversation.created')).toBe(true);
  });
});
