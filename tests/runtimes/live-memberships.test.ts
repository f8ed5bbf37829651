// An agent added to an inbox while his live stream is open starts receiving that inbox's events
// without reconnecting, on Node and on the Worker (where the stream hears the membership change
// through the EventHub and reloads his inboxes from inside its own request); removed, he stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/parley.js';
import { liveStream, runtimes, startRuntime, type Runtime } from '../helpers/runtimes.js';

describe.each(runtimes)('live memberships on %s', (kind) => {
  let rt: Runtime;
  let inbox: { id: string; webchatToken: string };
  beforeAll(async () => {
    rt = await startRuntime(kind);
    inbox = (await rt.api.post('/api/v1/inboxes', { name: 'Website', channel: 'webchat', config: {} })).body;
  }, 120_000);
  afterAll(() => rt?.stop());

  const visitorWrites = async (content: string) => {
    const s = await apiClient(rt.url).post(`/public/webchat/${inbox.webchatToken}/sessions`, { name: content });
    const r = await apiClient(rt.url, s.body.visitorToken).post(`/public/webchat/${inbox.webchatToken}/messages`, { content });
    expect(r.status).toBe(201);
  };

  it('an agent added to the inbox hears its next message at once, on the stream he already had open', async () => {
    const agent = await rt.createUser('agent', 'Newcomer');
    const res = await fetch(`${rt.url}/api/v1/events`, { headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(200);
    const live = liveStream(res);
    await live.ready;
    const contents = () => live.events.filter((e) => e.event === 'message.created').map((e) => e.data.message.content);

    await visitorWrites('before joining');
    expect((await rt.api.post(`/api/v1/inboxes/${inbox.id}/members`, { userIds: [agent.id] })).status).toBeLessThan(300);
    // Well under the 5 s periodic refresh: the membership event made the stream reload.
    await new Promise((r) => setTimeout(r, 700));
    await visitorWrites('after joining');
    await live.until(() => contents().includes('after joining'), 2500);
    expect(contents()).toContain('after joining');

    expect((await rt.api.raw(`/api/v1/inboxes/${inbox.id}/members/${agent.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${rt.adminToken}` } })).status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 700));
    await visitorWrites('after leaving');
    await new Promise((r) => setTimeout(r, 1500));
    await live.close();
    expect(contents()).not.toContain('before joining');
    expect(contents()).not.toContain('after leaving');
  });
});
