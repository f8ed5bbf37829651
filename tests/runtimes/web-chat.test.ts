// The contract's web chat flow, scoping, search and live events, against Node and the Worker
// (workerd, local D1) from the same file. On the Worker every step is a separate request, so
// a live event crosses from the request that made it to the stream through the EventHub, and a
// file's bytes live in the blob store (a folder on Node, the FILES R2 bucket on the Worker).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/parley.js';
import { PNG } from '../helpers/media.js';
import { liveStream, runtimes, startRuntime, type Runtime } from '../helpers/runtimes.js';

describe.each(runtimes)('web chat on %s', (kind) => {
  let rt: Runtime;
  let webchatToken: string;
  let inboxId: string;

  beforeAll(async () => {
    rt = await startRuntime(kind);
    const r = await rt.api.post('/api/v1/inboxes', { name: 'Website', channel: 'webchat', config: {} });
    expect(r.status).toBe(201);
    ({ webchatToken, id: inboxId } = r.body);
  }, 120_000);
  afterAll(() => rt?.stop());

  const visitor = async (name: string) => {
    const s = await apiClient(rt.url).post(`/public/webchat/${webchatToken}/sessions`, { name });
    expect(s.status).toBe(201);
    return { token: s.body.visitorToken as string, api: apiClient(rt.url, s.body.visitorToken) };
  };

  it('serves the web app and the widget as built files', async () => {
    const page = await fetch(`${rt.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="app">');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = html.match(/src="(\/assets\/app\.js\?v=\w+)"/)![1];
    const js = await fetch(rt.url + script);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(1000);
    const widget = await fetch(`${rt.url}/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toContain('javascript');
  });

  it('visitor writes, agent lists, assigns, replies; the reply reaches the visitor live and becomes sent', async () => {
    const agent = await rt.createUser('agent', 'Lin');
    expect((await rt.api.post(`/api/v1/inboxes/${inboxId}/members`, { userIds: [agent.id] })).status).toBeLessThan(300);
    const v = await visitor('王小明');
    const sent = await v.api.post(`/public/webchat/${webchatToken}/messages`, { content: '我的银行卡无法绑定' });
    expect(sent.status).toBe(201);

    const a = rt.as(agent.token);
    const list = await a.get(`/api/v1/conversations?status=open&inboxId=${inboxId}`);
    const conv = list.body.data.find((c: any) => c.contact.name === '王小明');
    expect(conv).toMatchObject({ channel: 'webchat', status: 'open', unreadCount: 1, lastMessage: { content: '我的银行卡无法绑定', direction: 'in' } });
    expect((await a.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.id })).body.assigneeId).toBe(agent.id);

    const stream = await fetch(`${rt.url}/public/webchat/${webchatToken}/events?visitorToken=${encodeURIComponent(v.token)}`);
    expect(stream.status).toBe(200);
    const live = liveStream(stream);
    // Only once the stream is listening (its 'ready') is the reply written.
    await live.ready;
    const reply = await a.post(`/api/v1/conversations/${conv.id}/messages`, { content: '您好，我们来看看' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ direction: 'out', deliveryStatus: 'queued', sender: { type: 'user', id: agent.id } });
    await a.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'internal: check card BIN', private: true });

    const events = await live.until((es) => es.some((e) => e.event === 'message.updated' && e.data.message.deliveryStatus === 'sent'));
    await live.close();
    const contents = events.filter((e) => e.event.startsWith('message.')).map((e) => e.data.message.content);
    expect(contents).toContain('您好，我们来看看');
    expect(contents).not.toContain('internal: check card BIN');
    const thread = await a.get(`/api/v1/conversations/${conv.id}/messages`);
    expect(thread.body.data.map((m: any) => m.deliveryStatus)).toEqual(['received', 'sent', null]);
  });

  it('scopes by actor: an agent outside the inbox sees nothing, a visitor only his own conversation', async () => {
    const outsider = await rt.createUser('agent', 'Outsider');
    const seen = await rt.as(outsider.token).get(`/api/v1/conversations?inboxId=${inboxId}`);
    expect(seen.body.data ?? []).toEqual([]);
    const any = (await rt.api.get(`/api/v1/conversations?inboxId=${inboxId}`)).body.data[0];
    expect([403, 404]).toContain((await rt.as(outsider.token).get(`/api/v1/conversations/${any.id}`)).status);
    const v1 = await visitor('A');
    const v2 = await visitor('B');
    await v1.api.post(`/public/webchat/${webchatToken}/messages`, { content: 'secret of A' });
    expect((await v2.api.get(`/public/webchat/${webchatToken}/messages`)).body.data).toEqual([]);
    expect((await apiClient(rt.url).get(`/public/webchat/${webchatToken}/messages`)).status).toBe(401);
    expect((await apiClient(rt.url).get('/api/v1/conversations')).status).toBe(401);
  });

  it('finds Chinese text through search', async () => {
    const r = await rt.api.get(`/api/v1/search?q=${encodeURIComponent('银行卡')}`);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).toContain('我的银行卡无法绑定');
  });

  it('stores 16 truly concurrent visitor messages, each in its own conversation, and the agents\' stream hears one made by another request', async () => {
    const agentsStream = await fetch(`${rt.url}/api/v1/events`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    expect(agentsStream.status).toBe(200);
    const heard = liveStream(agentsStream);
    await heard.ready;
    const visitors = await Promise.all(Array.from({ length: 16 }, (_, k) => visitor(`Concurrent ${k}`)));
    const posted = await Promise.all(visitors.map((v, k) => v.api.post(`/public/webchat/${webchatToken}/messages`, { content: `concurrent ${k}` })));
    expect(posted.map((r) => r.status)).toEqual(posted.map(() => 201));
    const list = await rt.api.get(`/api/v1/conversations?inboxId=${inboxId}&limit=100`);
    const last = list.body.data.map((c: any) => c.lastMessage.content).filter((t: string) => t.startsWith('concurrent ')).sort();
    expect(last).toEqual(Array.from({ length: 16 }, (_, k) => `concurrent ${k}`).sort());
    const events = await heard.until((es) => es.some((e) => e.event === 'message.created' && e.data.message.content === 'concurrent 15'));
    await heard.close();
    expect(events.filter((e) => e.event === 'message.created').map((e) => e.data.message.content)).toContain('concurrent 15');
  });

  it('a visitor attaches a screenshot: its bytes are kept by the blob store and served back to the agent and the visitor', async () => {
    const v = await visitor('Screenshot sender');
    const form = new FormData();
    form.append('content', 'this error');
    form.append('files', new Blob([PNG as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'error.png');
    const res = await fetch(`${rt.url}/public/webchat/${webchatToken}/messages`, { method: 'POST', headers: { authorization: `Bearer ${v.token}` }, body: form });
    expect(res.status).toBe(201);
    const mine = await res.json();
    expect(mine.attachments).toEqual([expect.objectContaining({ name: 'error.png', contentType: 'image/png', size: PNG.byteLength, state: 'ready' })]);
    const conv = (await rt.api.get(`/api/v1/conversations?inboxId=${inboxId}&limit=100`)).body.data.find((c: any) => c.contact.name === 'Screenshot sender');
    const [m] = (await rt.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data;
    const file = await fetch(rt.url + m.attachments[0].url, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PNG);
    const own = await fetch(rt.url + mine.attachments[0].url, { headers: { authorization: `Bearer ${v.token}` } });
    expect(own.status).toBe(200);
    expect(new Uint8Array(await own.arrayBuffer())).toEqual(PNG);
  });
});
