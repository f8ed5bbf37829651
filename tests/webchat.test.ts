import { describe, expect, it } from 'vitest';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { fixture } from './helpers/fixture.js';
import { createInbox } from './helpers/inboxes.js';
import { apiClient, collectSse, startTestParley } from './helpers/parley.js';

const p = fixture(() => startTestParley());
const site = fixture(() => createInbox(p.api, 'webchat', {}, { name: 'Website' }));

async function visitor(name?: string) {
  const pub = apiClient(p.url);
  const s = await pub.post(`/public/webchat/${site.webchatToken}/sessions`, name ? { name } : {});
  expect(s.status).toBe(201);
  return apiClient(p.url, s.body.visitorToken) && { token: s.body.visitorToken as string, api: apiClient(p.url, s.body.visitorToken) };
}

describe('web chat end to end', () => {
  it('visitor writes, agent lists, assigns, replies; the reply reaches the visitor live', async () => {
    const agent = await p.createUser('agent', 'Lin');
    await p.api.post(`/api/v1/inboxes/${site.id}/members`, { userIds: [agent.id] });
    const v = await visitor('王小明');
    const sent = await v.api.post(`/public/webchat/${site.webchatToken}/messages`, { content: '我的银行卡无法绑定' });
    expect(sent.status).toBe(201);
    expect(sent.body.content).toBe('我的银行卡无法绑定');

    const a = p.as(agent.token);
    const list = await a.get(`/api/v1/conversations?status=open&inboxId=${site.id}`);
    expect(list.status).toBe(200);
    const conv = list.body.data.find((c: any) => c.contact.name === '王小明');
    expect(conv).toMatchObject({ channel: 'webchat', status: 'open', assigneeId: null, unreadCount: 1, lastMessage: { content: '我的银行卡无法绑定', direction: 'in' } });

    const assigned = await a.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body.assigneeId).toBe(agent.id);

    const stream = await fetch(`${p.url}/public/webchat/${site.webchatToken}/events?visitorToken=${encodeURIComponent(v.token)}`);
    expect(stream.status).toBe(200);
    const reply = await a.post(`/api/v1/conversations/${conv.id}/messages`, { content: '您好，我们来看看' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ direction: 'out', private: false, deliveryStatus: 'queued', sender: { type: 'user', id: agent.id } });
    const note = await a.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'internal: check card BIN', private: true });
    expect(note.body.deliveryStatus).toBeNull();

    const report = await deliverDueOutbox(p.deps);
    expect(report).toMatchObject({ claimed: 1, sent: 1 });

    const events = await collectSse(stream, (es) => es.some((e) => e.event === 'message.updated' && e.data.message.deliveryStatus === 'sent'));
    const contents = events.filter((e) => e.event.startsWith('message.')).map((e) => e.data.message.content);
    expect(contents).toContain('您好，我们来看看');
    expect(contents).not.toContain('internal: check card BIN');

    const mine = await v.api.get(`/public/webchat/${site.webchatToken}/messages`);
    expect(mine.body.data.map((m: any) => [m.direction, m.content])).toEqual([['in', '我的银行卡无法绑定'], ['out', '您好，我们来看看']]);
    const thread = await a.get(`/api/v1/conversations/${conv.id}/messages`);
    expect(thread.body.data.map((m: any) => m.deliveryStatus)).toEqual(['received', 'sent', null]);
  });

  it('a visitor can never read another visitor\'s conversation', async () => {
    const v1 = await visitor('A');
    const v2 = await visitor('B');
    await v1.api.post(`/public/webchat/${site.webchatToken}/messages`, { content: 'secret of A' });
    const other = await v2.api.get(`/public/webchat/${site.webchatToken}/messages`);
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual([]);
    const forged = apiClient(p.url, v1.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    expect((await forged.get(`/public/webchat/${site.webchatToken}/messages`)).status).toBe(401);
    expect((await apiClient(p.url).get(`/public/webchat/${site.webchatToken}/messages`)).status).toBe(401);
    // A token from another inbox does not open this one.
    const other2 = await p.api.post('/api/v1/inboxes', { name: 'Other site', channel: 'webchat', config: {} });
    const s = await apiClient(p.url).post(`/public/webchat/${other2.body.webchatToken}/sessions`, {});
    expect((await apiClient(p.url, s.body.visitorToken).get(`/public/webchat/${site.webchatToken}/messages`)).status).toBe(401);
  });

  it('a retried visitor POST with the same clientMessageId is stored once', async () => {
    const v = await visitor('Retry');
    for (let i = 0; i < 3; i++) await v.api.post(`/public/webchat/${site.webchatToken}/messages`, { content: 'once', clientMessageId: 'c-1' });
    const mine = await v.api.get(`/public/webchat/${site.webchatToken}/messages`);
    expect(mine.body.data).toHaveLength(1);
  });
});
