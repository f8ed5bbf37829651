import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

const clock = manualClock(Date.UTC(2026, 10, 2, 10, 0, 0));
let p: TestParley;
let inbox: { id: string; channel: string };
let n = 0;
const write = (thread: string) => {
  clock.advance(1000);
  return ingest(p.deps, inbox, [{ kind: 'message', externalId: `m${++n}`, threadKey: thread, text: `msg ${n}`, attachments: [], sentAt: clock.now(), sender: { externalId: `c-${thread}` } }]);
};

beforeAll(async () => {
  p = await startTestParley({ clock });
  const r = await p.api.post('/api/v1/inboxes', { name: 'Paging', channel: 'webchat', config: {} });
  inbox = { id: r.body.id, channel: 'webchat' };
  for (let i = 0; i < 30; i++) await write(`t${i}`);
});
afterAll(() => p.stop());

describe('keyset pagination', () => {
  it('pages without duplicates or gaps while new messages arrive', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const r: any = await p.api.get(`/api/v1/conversations?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.data.map((c: any) => c.id));
      cursor = r.body.nextCursor;
      // Customers keep writing between pages: on already-seen and not-yet-seen threads, and new threads.
      if (page === 0) { await write('t29'); await write('t3'); await write('brand-new'); }
      page++;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    // Every conversation that existed when paging began was seen exactly once, except the one
    // that moved above the cursor (t3 got newer activity after page 1 and now sorts first).
    const all = await p.store.all<any>("SELECT id, thread_key FROM conversations WHERE inbox_id = ? AND thread_key <> 'brand-new'", [inbox.id]);
    const missing = all.filter((c) => !seen.includes(c.id)).map((c) => c.thread_key);
    expect(missing).toEqual(['t3']);
    expect(page).toBe(5);
  });

  it('lists newest activity first with the contract fields', async () => {
    const r = await p.api.get('/api/v1/conversations?limit=3');
    const times = r.body.data.map((c: any) => Date.parse(c.lastActivityAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(Object.keys(r.body.data[0])).toEqual(expect.arrayContaining(['id', 'inboxId', 'channel', 'status', 'assigneeId', 'teamId', 'labels', 'contact', 'lastMessage', 'lastActivityAt', 'unreadCount']));
  });

  it('pages a thread oldest first', async () => {
    const conv = (await p.api.get('/api/v1/conversations?limit=1')).body.data[0];
    for (let i = 0; i < 4; i++) await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: `reply ${i}` });
    const first = await p.api.get(`/api/v1/conversations/${conv.id}/messages?limit=2`);
    const second = await p.api.get(`/api/v1/conversations/${conv.id}/messages?limit=2&cursor=${first.body.nextCursor}`);
    const ids = [...first.body.data, ...second.body.data].map((m: any) => m.id);
    expect(new Set(ids).size).toBe(4);
    expect(second.body.data[0].createdAt >= first.body.data[1].createdAt).toBe(true);
  });
});
