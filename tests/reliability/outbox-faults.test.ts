// Faults at the platform: 429 with and without Retry-After, 5xx, connection resets, hanging
// requests (long version: the sender's timeout), and a platform down for a while. Replies back off
// and none is lost or sent twice, while another inbox's replies go out on time.
// RELIABILITY_LONG=1 keeps the platform down for 10 minutes and adds hanging requests.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCallbackFake, type Behaviour, type CallbackFake } from '../helpers/callback-fake.js';
import { apiInboxWithConversation } from '../helpers/api-inbox.js';
import { startTestParley, type TestParley } from '../helpers/parley.js';

const LONG = process.env.RELIABILITY_LONG === '1';
const DOWN_MS = LONG ? 10 * 60_000 : 8_000;

let p: TestParley;
let sick: CallbackFake;
let healthy: CallbackFake;
beforeAll(async () => {
  [sick, healthy] = await Promise.all([startCallbackFake(), startCallbackFake()]);
  // The short run caps a failing lane's pause at 3 s so the whole ladder fits in seconds.
  p = await startTestParley({ scheduler: true, ...(LONG ? {} : { outboxMaxPauseMs: 3_000 }) });
});
afterAll(async () => { await p?.stop(); await Promise.all([sick?.close(), healthy?.close()]); });

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => Promise<boolean> | boolean, ms: number) {
  const end = Date.now() + ms;
  while (!(await ok())) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await wait(100); }
}

it('a failing platform backs off and loses nothing; another inbox is not held up', async () => {
  const a = await apiInboxWithConversation(p.api, p.url, 'sick', sick.url);
  const b = await apiInboxWithConversation(p.api, p.url, 'healthy', healthy.url);
  const arrivals: number[] = [];
  const faults: Behaviour[] = [
    { kind: 'status', status: 429, retryAfter: 3 }, { kind: 'status', status: 429 }, { kind: 'status', status: 503 },
    { kind: 'reset' }, ...(LONG ? [{ kind: 'hang' } as const] : []), { kind: 'status', status: 502 },
  ];
  const downFrom = Date.now();
  sick.behave((n) => { arrivals.push(Date.now()); return faults[n] ?? (Date.now() - downFrom < DOWN_MS ? { kind: 'status', status: 503 } : { kind: 'ok' }); });

  const replyTo = async (conv: string, text: string) => (await p.api.post(`/api/v1/conversations/${conv}/messages`, { content: text })).body.id as string;
  const sickIds: string[] = [];
  for (let i = 0; i < 5; i++) sickIds.push(await replyTo(a.conversationId, `to sick ${i}`));

  // While the sick platform refuses, the healthy inbox's replies go out within moments.
  const lag: number[] = [];
  for (let i = 0; i < 5; i++) {
    const at = Date.now();
    const id = await replyTo(b.conversationId, `to healthy ${i}`);
    await until('the healthy reply', () => healthy.accepted.some((x) => x.id === id), 5_000);
    lag.push(Date.now() - at);
    await wait(LONG ? 30_000 : 600);
  }
  console.log(`healthy inbox reply latency while the other platform is down: max ${Math.max(...lag)} ms`);
  expect(Math.max(...lag)).toBeLessThan(3_000);

  // Retry-After: 3 was honoured: the next call came no sooner.
  await until('a second call', () => arrivals.length >= 2, 10_000);
  expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(2_900);

  await until('every sick reply sent', async () => {
    const rows = await p.store.all<{ delivery_status: string }>(`SELECT delivery_status FROM messages WHERE id IN (${sickIds.map(() => '?').join(',')})`, sickIds);
    return rows.every((r) => r.delivery_status === 'sent');
  }, DOWN_MS + 6 * 60_000);
  // Each reply reached the platform exactly once (the fake records only requests it accepted).
  expect([...sick.received].sort()).toEqual([...sickIds].sort());
  // Backoff: the lane paused between calls instead of hammering a platform that refused.
  const downCalls = arrivals.filter((t) => t - downFrom < DOWN_MS).length;
  console.log(`calls to the sick platform while it was down for ${DOWN_MS / 1000} s: ${downCalls}`);
  expect(downCalls).toBeLessThan(LONG ? 30 : 10);
  const errors = await p.store.all<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status <> 'done'");
  expect(errors[0].n).toBe(0);
}, LONG ? 20 * 60_000 : 90_000);
