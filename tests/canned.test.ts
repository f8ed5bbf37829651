// Canned responses: leads manage, agents read and render with placeholders; labels list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { createWebchatInbox, customerWrites, namedUser, send } from './helpers/workflow.js';

let p: TestParley;
let lead: { id: string; token: string }, agent: { id: string; token: string }, outsider: { id: string; token: string };
let inbox: { id: string; webchatToken: string };
let conversationId: string;

beforeAll(async () => {
  p = await startTestParley({ clock: manualClock(Date.parse('2026-03-02T09:00:00Z')) });
  lead = await p.createUser('lead', 'Lea Lead');
  agent = await namedUser(p, 'agent', '林 Agent', 'lin.agent@test.local');
  outsider = await p.createUser('agent', 'Out Sider');
  inbox = await createWebchatInbox(p, p.adminToken, 'Acme Help');
  await p.api.post(`/api/v1/inboxes/${inbox.id}/members`, { userIds: [agent.id] });
  conversationId = (await customerWrites(p, inbox.webchatToken, '退款进度？', { name: '王小明', email: 'xm@example.com' })).conversationId;
});
afterAll(() => p.stop());

describe('canned responses', () => {
  it('leads create, agents cannot (403) but can list and search by shortCode prefix', async () => {
    const l = p.as(lead.token);
    const refund = await l.post('/api/v1/canned-responses', { shortCode: '/Refund', content: 'Hi {{contact.name}}, refunds take 3-5 days.' });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ shortCode: 'refund', createdBy: lead.id });
    expect((await l.post('/api/v1/canned-responses', { shortCode: 'return', content: 'Returns: {{inbox.name}}' })).status).toBe(201);
    expect((await p.api.post('/api/v1/canned-responses', { shortCode: 'greet', content: 'Hello!' })).status).toBe(201);
    expect((await l.post('/api/v1/canned-responses', { shortCode: 'refund', content: 'dup' })).status).toBe(409);
    expect((await l.post('/api/v1/canned-responses', { shortCode: 'has space', content: 'x' })).status).toBe(400);

    const a = p.as(agent.token);
    const denied = await a.post('/api/v1/canned-responses', { shortCode: 'mine', content: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await send(p, agent.token, 'PATCH', `/api/v1/canned-responses/${refund.body.id}`, { content: 'x' })).status).toBe(403);
    expect((await send(p, agent.token, 'DELETE', `/api/v1/canned-responses/${refund.body.id}`)).status).toBe(403);

    const all = await a.get('/api/v1/canned-responses');
    expect(all.status).toBe(200);
    expect(all.body.data.map((c: any) => c.shortCode)).toEqual(['greet', 'refund', 'return']);
    expect((await a.get('/api/v1/canned-responses?q=/re')).body.data.map((c: any) => c.shortCode)).toEqual(['refund', 'return']);
    expect((await a.get('/api/v1/canned-responses?q=ref')).body.data.map((c: any) => c.shortCode)).toEqual(['refund']);
    expect((await a.get('/api/v1/canned-responses?q=zz')).body.data).toEqual([]);
    const page1 = await a.get('/api/v1/canned-responses?limit=2');
    expect(page1.body.data.map((c: any) => c.shortCode)).toEqual(['greet', 'refund']);
    const page2 = await a.get(`/api/v1/canned-responses?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body).toMatchObject({ data: [{ shortCode: 'return' }], nextCursor: null });
  });

  it('renders for a conversation with placeholders filled, unknown ones kept, missing values empty', async () => {
    const l = p.as(lead.token);
    const created = await l.post('/api/v1/canned-responses', {
      shortCode: 'intro',
      content: '您好 {{contact.name}} ({{contact.email}}), this is {{agent.name}} at {{inbox.name}} about #{{ conversation.id }}. Phone: [{{contact.phone}}] {{order.number}}',
    });
    expect(created.status).toBe(201);
    const r = await p.as(agent.token).get(`/api/v1/conversations/${conversationId}/canned-responses/intro/render`);
    expect(r.status).toBe(200);
    expect(r.body.content).toBe(`您好 王小明 (xm@example.com), this is 林 Agent at Acme Help about #${conversationId}. Phone: [] {{order.number}}`);

    // Edited by a lead: the next render uses the new text.
    expect((await send(p, lead.token, 'PATCH', `/api/v1/canned-responses/${created.body.id}`, { content: 'Bye {{contact.name}}' })).status).toBe(200);
    expect((await p.as(agent.token).get(`/api/v1/conversations/${conversationId}/canned-responses/INTRO/render`)).body.content).toBe('Bye 王小明');

    // Only for conversations the caller may see; unknown codes are 404.
    expect((await p.as(outsider.token).get(`/api/v1/conversations/${conversationId}/canned-responses/intro/render`)).status).toBe(404);
    expect((await p.as(agent.token).get(`/api/v1/conversations/${conversationId}/canned-responses/nope/render`)).status).toBe(404);

    expect((await send(p, lead.token, 'DELETE', `/api/v1/canned-responses/${created.body.id}`)).status).toBe(204);
    expect((await p.as(agent.token).get(`/api/v1/conversations/${conversationId}/canned-responses/intro/render`)).status).toBe(404);
  });
});

describe('labels', () => {
  it('lists labels in use with counts, scoped to what the caller may see', async () => {
    const other = await createWebchatInbox(p, p.adminToken, 'Hidden');
    const hidden = await customerWrites(p, other.webchatToken, 'secret');
    const second = await customerWrites(p, inbox.webchatToken, 'another');
    await p.api.post(`/api/v1/conversations/${conversationId}/labels`, { labels: ['refund', 'vip'] });
    await p.api.post(`/api/v1/conversations/${second.conversationId}/labels`, { labels: ['refund'] });
    await p.api.post(`/api/v1/conversations/${hidden.conversationId}/labels`, { labels: ['refund', 'internal'] });
    const admin = await p.api.get('/api/v1/labels');
    expect(admin.body.data).toEqual([{ label: 'refund', count: 3 }, { label: 'internal', count: 1 }, { label: 'vip', count: 1 }]);
    const mine = await p.as(agent.token).get('/api/v1/labels');
    expect(mine.body.data).toEqual([{ label: 'refund', count: 2 }, { label: 'vip', count: 1 }]);
    expect((await p.api.get('/api/v1/labels?q=v')).body.data).toEqual([{ label: 'vip', count: 1 }]);
  });
});
