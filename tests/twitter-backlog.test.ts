// An X DM backlog drained through the poll loops within the rate limit: pages follow each
// other while x-rate-limit-remaining allows, then the loop waits for x-rate-limit-reset
// instead of running into 429s; every DM is stored once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTwitterFake, type TwitterFake } from '../connectors/twitter/fake.js';
import { startPollLoops, type PollLoops } from '../src/domain/ingest/poll-loop.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

let p: TestParley;
let fake: TwitterFake;
let loops: PollLoops | undefined;
beforeAll(async () => { [p, fake] = await Promise.all([startTestParley(), startTwitterFake()]); });
afterAll(async () => { await loops?.stop(); await fake.close(); await p.stop(); });

it('walks a 750-DM gap page by page, pacing by x-rate-limit-reset, with no 429', async () => {
  const alice = { id: '3001', name: 'Alice', username: 'alice' };
  fake.customerWrites({ from: alice, text: 'first' });
  const r = await p.api.post('/api/v1/inboxes', { name: 'X', channel: 'twitter', config: fake.inboxConfig({ pollSeconds: 3600 }) });
  const inboxId = r.body.id as string;
  expect(await pollInbox(p.deps, (await p.store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]))!)).toEqual({ ingested: 1 });

  const GAP = 750; // 8 pages
  for (let i = 0; i < GAP; i++) fake.customerWrites({ from: { id: String(4000 + (i % 30)), name: `C${i % 30}`, username: `c${i % 30}` }, text: `dm ${i}` });
  fake.pollRateLimit(3, 2); // 3 calls per 2 s: the walk needs several windows
  const before = fake.requests.filter((q) => q.path === '/2/dm_events').length;
  loops = startPollLoops(p.deps, { scanEveryMs: 60_000 });
  const count = async () => (await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [inboxId]))!.n;
  const end = Date.now() + 30_000;
  while (Date.now() < end && (await count()) < GAP + 1) await new Promise((res) => setTimeout(res, 50));
  expect(await count()).toBe(GAP + 1);
  expect(fake.pollsRefused).toBe(0);
  expect(fake.requests.filter((q) => q.path === '/2/dm_events').length - before).toBe(8);
  const dupes = await p.store.get<{ n: number }>('SELECT count(*) - count(DISTINCT external_id) AS n FROM messages WHERE inbox_id = ?', [inboxId]);
  expect(dupes!.n).toBe(0);
  const row = await p.store.get<{ health: string }>('SELECT health FROM inboxes WHERE id = ?', [inboxId]);
  expect(row!.health).toBe('ok');
}, 60_000);
