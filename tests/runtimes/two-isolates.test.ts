// Two separate Worker processes (two workerd instances: two isolates that share no memory) on
// one local D1 and one EventHub Durable Object, as two Cloudflare isolates of one deployment
// are: what one stores the other reads, and a live event made by a request to one reaches an
// SSE stream held open on the other, both ways. (Locally through wrangler dev's dev registry,
// offline; see startWorkerPeer.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/parley.js';
import { liveStream, runtimes, startRuntime, startWorkerPeer, type Runtime } from '../helpers/runtimes.js';

describe.runIf(runtimes.includes('worker'))('two worker isolates', () => {
  let a: Runtime;
  let b: Runtime;
  let inbox: { id: string; webchatToken: string };
  beforeAll(async () => {
    a = await startRuntime('worker');
    b = await startWorkerPeer(a);
    inbox = (await a.api.post('/api/v1/inboxes', { name: 'Website', channel: 'webchat', config: {} })).body;
  }, 180_000);
  afterAll(async () => { await b?.stop(); await a?.stop(); });

  const visitorWrites = async (on: Runtime, content: string) => {
    const s = await apiClient(on.url).post(`/public/webchat/${inbox.webchatToken}/sessions`, { name: content });
    expect(s.status).toBe(201);
    expect((await apiClient(on.url, s.body.visitorToken).post(`/public/webchat/${inbox.webchatToken}/messages`, { content })).status).toBe(201);
  };

  it('share one store: an inbox made through one is listed by the other, with a token minted on the other', async () => {
    const listed = await a.as(b.adminToken).get('/api/v1/inboxes');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(inbox.id);
  });

  it('a message written through one reaches the agents\' stream held open on the other, both ways', async () => {
    const onB = liveStream(await fetch(`${b.url}/api/v1/events`, { headers: { authorization: `Bearer ${b.adminToken}` } }));
    const onA = liveStream(await fetch(`${a.url}/api/v1/events`, { headers: { authorization: `Bearer ${a.adminToken}` } }));
    await Promise.all([onA.ready, onB.ready]);
    const heard = (l: ReturnType<typeof liveStream>, content: string) =>
      l.until((es) => es.some((e) => e.event === 'message.created' && e.data.message.content === content)).then((es) => es.some((e) => e.event === 'message.created' && e.data.message.content === content));
    await visitorWrites(a, 'written through A');
    expect(await heard(onB, 'written through A')).toBe(true);
    await visitorWrites(b, 'written through B');
    expect(await heard(onA, 'written through B')).toBe(true);
    await Promise.all([onA.close(), onB.close()]);
  });
});
