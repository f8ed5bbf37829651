// kill -9 during delivery: replies queued to a slow platform, the server SIGKILLed at random
// moments and restarted. The platform receives each reply at most once, and every reply ends
// sent, or failed/unknown with a reason an agent can act on.
// Short by default; RELIABILITY_LONG=1 runs the 1,000 replies and 10 kills.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { startCallbackFake, type CallbackFake } from '../helpers/callback-fake.js';
import { apiInboxWithConversation } from '../helpers/api-inbox.js';
import { startTestParley } from '../helpers/parley.js';
import { seededRandom, spawnParley, type ParleyProcess } from '../helpers/parley-process.js';

const LONG = process.env.RELIABILITY_LONG === '1';
const REPLIES = LONG ? 1000 : 200;
const KILLS = LONG ? 10 : 5;
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);

let fakes: CallbackFake[] = [];
let child: ParleyProcess | undefined;
let dir = '';
afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all(fakes.map((f) => f.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it(`SIGKILL ${KILLS} times while ${REPLIES} replies go out to slow platforms: none received twice, each ends with an outcome (seed ${SEED})`, async () => {
  const rand = seededRandom(SEED);
  console.log(`outbox-kill seed ${SEED} (RELIABILITY_SEED to repeat)`);
  fakes = await Promise.all([startCallbackFake(), startCallbackFake()]);
  for (const f of fakes) f.behave({ kind: 'ok', delayMs: () => 40 + Math.floor(rand() * 120) });

  // Queue the replies with no delivery running, then hand the store to real server processes.
  const p = await startTestParley();
  dir = p.dir;
  const convs = [];
  for (const [i, f] of fakes.entries()) convs.push(await apiInboxWithConversation(p.api, p.url, `kill${i}`, f.url));
  const replyIds: string[] = [];
  for (let i = 0; i < REPLIES; i++) {
    const r = await p.api.post(`/api/v1/conversations/${convs[i % convs.length].conversationId}/messages`, { content: `reply ${i}` });
    replyIds.push(r.body.id);
  }
  await p.close();
  const dbFile = `${dir}/parley.db`;
  const db = new Database(dbFile, { readonly: true });
  const open = () => (db.prepare("SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'claimed', 'sending')").get() as { n: number }).n;

  let kills = 0;
  while (kills < KILLS && open() > 0) {
    child = await spawnParley(dbFile, { PARLEY_OUTBOX_LEASE_MS: '1000' });
    await new Promise((r) => setTimeout(r, 200 + Math.floor(rand() * 1500)));
    await child.kill('SIGKILL');
    kills++;
  }
  expect(kills).toBe(KILLS); // the kills landed while replies were still going out
  child = await spawnParley(dbFile, { PARLEY_OUTBOX_LEASE_MS: '1000' });
  const deadline = Date.now() + (LONG ? 240_000 : 60_000);
  while (open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await child.kill('SIGTERM');

  const received = fakes.flatMap((f) => f.received);
  const counts = new Map<string, number>();
  for (const id of received) counts.set(id, (counts.get(id) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1);
  expect(twice).toEqual([]);

  const rows = db.prepare(`SELECT m.id, m.delivery_status, m.error, o.status FROM messages m JOIN outbox o ON o.message_id = m.id`).all() as
    { id: string; delivery_status: string; error: string | null; status: string }[];
  db.close();
  expect(rows).toHaveLength(REPLIES);
  const by = (s: string) => rows.filter((r) => r.delivery_status === s);
  console.log(`outbox-kill: ${kills} kills, ${by('sent').length} sent, ${by('unknown').length} unknown, ${by('failed').length} failed, ${received.length} received`);
  expect(by('sent').length + by('unknown').length + by('failed').length).toBe(REPLIES);
  for (const r of by('sent')) expect(counts.get(r.id)).toBe(1);
  for (const r of [...by('unknown'), ...by('failed')]) expect(r.error).toMatch(/\w{10,}/);
  // At most one send in flight per lane (inbox) when a process dies.
  expect(by('unknown').length).toBeLessThanOrEqual(kills * fakes.length);
  // Every reply the platform saw is sent or unknown, never failed or queued again. (One it did
  // not see may be unknown: the process died between marking it sending and the request leaving.)
  for (const id of counts.keys()) expect(['sent', 'unknown']).toContain(rows.find((r) => r.id === id)?.delivery_status);
  expect(replyIds.every((id) => rows.some((r) => r.id === id))).toBe(true);
}, LONG ? 600_000 : 150_000);
