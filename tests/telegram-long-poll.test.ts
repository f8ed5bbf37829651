// Telegram through the poll loops (what `npm start` runs): a backlog drains batch after batch
// without waiting for a tick while HTTP requests are still answered, then one getUpdates is
// held open (long polling) and a new message is stored as soon as the fake answers it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../connectors/telegram/fake.js';
import { startPollLoops, type PollLoops } from '../src/domain/ingest/poll-loop.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

let p: TestParley;
let fake: TelegramFake;
let loops: PollLoops;
beforeAll(async () => {
  [p, fake] = await Promise.all([startTestParley(), startTelegramFake()]);
  loops = startPollLoops(p.deps, { scanEveryMs: 60_000 });
  p.deps.wakePoller = loops.wake;
});
afterAll(async () => { await loops.stop(); await fake.close(); await p.stop(); });

const count = async (inboxId: string) => (await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [inboxId]))!.n;
const until = async (what: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await what()) return true; await new Promise((r) => setTimeout(r, 20)); }
  return false;
};

it('drains a 3,000-update backlog continuously, answers HTTP meanwhile, then long-polls', async () => {
  const TOTAL = 3000;
  const { last } = fake.queueBacklog(TOTAL, 50);
  // pollSeconds 3600: anything but back-to-back batches would take hours.
  const r = await p.api.post('/api/v1/inboxes', { name: 'Bot', channel: 'telegram', config: fake.inboxConfig({ pollSeconds: 3600 }) });
  expect(r.status).toBe(201);
  const inboxId = r.body.id as string;

  // A request during the drain is answered before the drain ends: batches yield to I/O.
  expect(await until(async () => (await count(inboxId)) > 0, 10_000)).toBe(true);
  const health = await p.api.get('/healthz');
  expect(health.status).toBe(200);
  const seenDuring = await count(inboxId);
  expect(seenDuring).toBeLessThan(TOTAL);

  expect(await until(async () => (await count(inboxId)) === TOTAL, 30_000)).toBe(true);
  const polls = fake.calls.filter((c) => c.method === 'getUpdates');
  expect(polls.length).toBeGreaterThanOrEqual(TOTAL / 100);
  // Every backlog page was an immediate poll; long polling starts once caught up.
  expect(polls.slice(0, TOTAL / 100).every((c) => c.body.timeout === 0)).toBe(true);
  expect(await until(async () => fake.held === 1, 5000)).toBe(true);
  expect(fake.calls.at(-1)!.body).toMatchObject({ timeout: 25, offset: last + 1 });

  // Still held: a new message is answered at once and stored without any tick.
  await fake.customerWrites({ from: { id: 4242, first_name: 'Wang', last_name: 'Fang' }, text: '刚付款了，订单没更新' });
  expect(await until(async () => (await count(inboxId)) === TOTAL + 1, 2000)).toBe(true);
  const conv = await p.store.get<{ thread_key: string; message_count: number }>("SELECT thread_key, message_count FROM conversations WHERE inbox_id = ? AND thread_key = '4242'", [inboxId]);
  expect(conv).toEqual({ thread_key: '4242', message_count: 1 });
  const perChat = await p.store.all<{ n: number }>('SELECT message_count AS n FROM conversations WHERE inbox_id = ? AND thread_key <> ?', [inboxId, '4242']);
  expect(perChat).toHaveLength(50);
  expect(perChat.every((c) => c.n === TOTAL / 50)).toBe(true);
  const dupes = await p.store.get<{ n: number }>('SELECT count(*) - count(DISTINCT external_id) AS n FROM messages WHERE inbox_id = ?', [inboxId]);
  expect(dupes!.n).toBe(0);
}, 60_000);

it('stopping the loops ends the held request', async () => {
  expect(await until(async () => fake.held === 1, 5000)).toBe(true); // the next long poll after the last message
  await loops.stop();
  expect(await until(async () => fake.held === 0, 2000)).toBe(true);
});
