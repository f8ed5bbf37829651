// Live streams: scoped, bounded and capped. Events of no inbox reach only those who may see
// them; a client that stops reading is cut off and resumes with Last-Event-ID without a gap; a
// visitor's stream opened before the visitor wrote picks the conversation up without a query
// per event; streams are capped per user, visitor and address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitEvents } from '../../src/domain/events/emit.js';
import { liveStreams } from '../../src/domain/events/live.js';
import { apiClient, collectSse, startTestParley, type TestParley } from '../helpers/parley.js';

let p: TestParley;
let inboxA: string; let inboxB: string; let tokenA: string;
let agentA: { id: string; token: string }; let agentB: { id: string; token: string };

beforeAll(async () => {
  p = await startTestParley();
  // Bound above one fan-out burst (events arriving within 25 ms) of this test's pace.
  liveStreams(p.deps, { maxQueue: 100, perUser: 3, perVisitor: 2 });
  const a = await p.api.post('/api/v1/inboxes', { name: 'A', channel: 'webchat', config: {} });
  const b = await p.api.post('/api/v1/inboxes', { name: 'B', channel: 'webchat', config: {} });
  inboxA = a.body.id; inboxB = b.body.id; tokenA = a.body.webchatToken;
  agentA = await p.createUser('agent', 'Agent A');
  agentB = await p.createUser('agent', 'Agent B');
  await p.api.post(`/api/v1/inboxes/${inboxA}/members`, { userIds: [agentA.id] });
  await p.api.post(`/api/v1/inboxes/${inboxB}/members`, { userIds: [agentB.id] });
});
afterAll(() => p.stop());

const open = (token: string, headers: Record<string, string> = {}) => fetch(`${p.url}/api/v1/events`, { headers: { authorization: `Bearer ${token}`, ...headers } });
const marker = (inboxId: string, n: string) => emitEvents(p.deps, [{ type: 'test.marker', inboxId, payload: { n } }]);
const ready = async (res: Response) => { const r = res.body!.getReader(); return r; };

async function visitorWrites(webchatToken: string, text: string) {
  const s = await apiClient(p.url).post(`/public/webchat/${webchatToken}/sessions`, { name: 'Visitor' });
  const v = apiClient(p.url, s.body.visitorToken);
  await v.post(`/public/webchat/${webchatToken}/messages`, { content: text });
  return s.body.visitorToken as string;
}

describe('scope of events without an inbox', () => {
  it('contact.updated and agent.availability reach only agents of an inbox the contact or teammate belongs to, and managers', async () => {
    await visitorWrites(tokenA, 'hi from A');
    const contactId = (await p.api.get(`/api/v1/conversations?inboxId=${inboxA}`)).body.data[0].contact.id;
    const [sa, sb, sAdmin] = await Promise.all([open(agentA.token), open(agentB.token), open(p.adminToken)]);
    await new Promise((r) => setTimeout(r, 100));
    expect((await p.api.raw(`/api/v1/contacts/${contactId}`, { method: 'PATCH', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Renamed' }) })).status).toBe(200);
    expect((await p.as(agentB.token).post('/api/v1/me/availability', { availability: 'online' })).status).toBe(200);
    await marker(inboxA, 'end'); await marker(inboxB, 'end');
    const until = (es: { event: string }[]) => es.some((e) => e.event === 'test.marker');
    const [ea, eb, eAdmin] = await Promise.all([collectSse(sa, until), collectSse(sb, until), collectSse(sAdmin, (es) => es.filter((e) => e.event === 'test.marker').length === 2)]);
    const types = (es: { event: string }[]) => es.map((e) => e.event).filter((t) => t !== 'ready');
    expect(types(ea)).toEqual(['contact.updated', 'test.marker']); // B's availability: not A's teammate
    expect(types(eb)).toEqual(['agent.availability', 'test.marker']); // A's contact: not B's business
    expect(types(eAdmin)).toEqual(['contact.updated', 'agent.availability', 'test.marker', 'test.marker']);
  });

  it('replay after Last-Event-ID applies the same scope', async () => {
    const first = await p.deps.store.get<{ id: number }>("SELECT max(id) - 10 AS id FROM events");
    const eb = await collectSse(await open(agentB.token, { 'last-event-id': String(first!.id) }), (es) => es.some((e) => e.event === 'ready'));
    expect(eb.map((e) => e.event)).not.toContain('contact.updated');
  });
});

describe('bounded streams', () => {
  it('a client that stops reading is cut off; it resumes with Last-Event-ID and misses nothing, while a reading client gets every event', async () => {
    const slow = await open(p.adminToken);
    const fast = await open(p.adminToken);
    const reader = await ready(slow);
    const before = (await p.deps.store.get<{ id: number }>('SELECT max(id) AS id FROM events'))!.id;
    const TOTAL = 400;
    const big = 'x'.repeat(40_000); // enough to fill the socket buffers of a client not reading
    const fastEvents = collectSse(fast, (es) => es.filter((e) => e.event === 'test.big').length === TOTAL, 20_000);
    for (let i = 0; i < TOTAL; i++) {
      await emitEvents(p.deps, [{ type: 'test.big', inboxId: inboxA, payload: { i, big } }]);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 30));
    }
    expect((await fastEvents).filter((e) => e.event === 'test.big').map((e) => e.data.i)).toEqual([...Array(TOTAL).keys()]);
    // Now the slow client reads what reached it before it was cut off (the connection was
    // dropped, so the read ends in an error once the buffered bytes are consumed).
    const dec = new TextDecoder();
    let text = '';
    try {
      for (;;) { const c = await reader.read(); if (c.done) break; text += dec.decode(c.value, { stream: true }); }
    } catch { /* dropped */ }
    const got = [...text.matchAll(/id: (\d+)\nevent: test\.big\ndata: \{"type":"test\.big","i":(\d+)/g)].map((m) => ({ id: Number(m[1]), i: Number(m[2]) }));
    expect(got.length).toBeLessThan(TOTAL); // it was cut off
    expect(liveStreams(p.deps).size).toBe(0); // and forgotten by the fan-out
    const resumed = await collectSse(await open(p.adminToken, { 'last-event-id': String(got.at(-1)?.id ?? before) }), (es) => es.some((e) => e.event === 'ready'), 10_000);
    const all = [...got.map((g) => g.i), ...resumed.filter((e) => e.event === 'test.big').map((e) => e.data.i)];
    expect(all).toEqual([...Array(TOTAL).keys()]);
  }, 60_000);

  it('streams are capped per user (429), and a closed stream frees its slot', async () => {
    const ctl = [new AbortController(), new AbortController(), new AbortController()];
    const streams = await Promise.all(ctl.map((c) => fetch(`${p.url}/api/v1/events`, { headers: { authorization: `Bearer ${agentA.token}` }, signal: c.signal })));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const fourth = await open(agentA.token);
    expect(fourth.status).toBe(429);
    expect((await fourth.json()).error.code).toBe('too_many_streams');
    ctl[0].abort();
    await new Promise((r) => setTimeout(r, 200));
    const again = await open(agentA.token);
    expect(again.status).toBe(200);
    await again.body?.cancel();
    for (const c of ctl) c.abort();
  });
});

describe('a visitor stream opened before the visitor writes', () => {
  it('receives its own conversation once it begins, others never, with no query per event', async () => {
    const s = await apiClient(p.url).post(`/public/webchat/${tokenA}/sessions`, { name: 'Early' });
    const token = s.body.visitorToken as string;
    const stream = await fetch(`${p.url}/public/webchat/${tokenA}/events?visitorToken=${encodeURIComponent(token)}`);
    expect(stream.status).toBe(200);
    // Other conversations' events while this visitor has none: filtered without reading the store.
    const calls = { n: 0 };
    const store = p.deps.store;
    const [get, all] = [store.get.bind(store), store.all.bind(store)];
    // Counts reads of conversations or events (what a stream would need); outgoing webhooks'
    // own per-event lookup of subscriptions is theirs, not the stream's.
    const mine = (sql: string) => /FROM (conversations|events)\b/.test(sql);
    store.get = ((...a: Parameters<typeof get>) => { if (mine(a[0])) calls.n++; return get(...a); }) as typeof get;
    store.all = ((...a: Parameters<typeof all>) => { if (mine(a[0])) calls.n++; return all(...a); }) as typeof all;
    try {
      // (A type no workflow module reacts to: they may query, the stream must not.)
      for (let i = 0; i < 50; i++) await emitEvents(p.deps, [{ type: 'csat.test', inboxId: inboxA, conversationId: `other-${i}`, payload: {} }]);
      await new Promise((r) => setTimeout(r, 50));
      expect(calls.n).toBe(0);
    } finally {
      store.get = get; store.all = all;
    }
    await apiClient(p.url, token).post(`/public/webchat/${tokenA}/messages`, { content: 'first words' });
    const events = await collectSse(stream, (es) => es.some((e) => e.event === 'message.created'));
    expect(events.filter((e) => e.event === 'message.created').map((e) => e.data.message.content)).toEqual(['first words']);
  });

  it('visitor streams are capped per visitor', async () => {
    const s = await apiClient(p.url).post(`/public/webchat/${tokenA}/sessions`, { name: 'Greedy' });
    const url = `${p.url}/public/webchat/${tokenA}/events?visitorToken=${encodeURIComponent(s.body.visitorToken)}`;
    const ctl = [new AbortController(), new AbortController()];
    const ok = await Promise.all(ctl.map((c) => fetch(url, { signal: c.signal })));
    expect(ok.map((r) => r.status)).toEqual([200, 200]);
    expect((await fetch(url)).status).toBe(429);
    for (const c of ctl) c.abort();
  });
});
