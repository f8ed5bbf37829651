import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../connectors/registry.js';
import { PermanentError, RetryableError, type OutboundMessage } from '../connectors/types.js';
import { webchat } from '../connectors/webchat/index.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox, sendClaimed } from '../src/domain/outbox/outbox.js';
import { OutboxLoop } from '../src/domain/outbox/outbox-loop.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';

// A channel whose behaviour each test scripts: a queue of outcomes per message text.
const script = new Map<string, ('ok' | 'retry' | 'retry-after' | 'permanent' | 'slow')[]>();
const sends: OutboundMessage[] = [];
const flaky = {
  ...webchat,
  async send(_c: unknown, msg: OutboundMessage) {
    const next = script.get(msg.text)?.shift() ?? 'ok';
    sends.push(msg);
    if (next === 'retry') throw new RetryableError('503 from the platform');
    if (next === 'retry-after') throw new RetryableError('429 rate limited', 60_000);
    if (next === 'permanent') throw new PermanentError('(#100) The recipient is not a valid user');
    if (next === 'slow') await new Promise((r) => setTimeout(r, 50));
    return { externalId: `plat-${msg.messageId}` };
  },
};

const clock = manualClock(Date.UTC(2026, 10, 2, 10, 0, 0));
let p: TestParley;
let conv: string;

beforeAll(async () => {
  p = await startTestParley({ connectors: createRegistry({ webchat: flaky }), clock });
  const inbox = await p.api.post('/api/v1/inboxes', { name: 'Flaky', channel: 'webchat', config: {} });
  const s = await apiClient(p.url).post(`/public/webchat/${inbox.body.webchatToken}/sessions`, { name: 'Customer' });
  await apiClient(p.url, s.body.visitorToken).post(`/public/webchat/${inbox.body.webchatToken}/messages`, { content: 'help' });
  conv = (await p.api.get('/api/v1/conversations')).body.data[0].id;
});
afterAll(() => p.stop());

const reply = async (text: string) => (await p.api.post(`/api/v1/conversations/${conv}/messages`, { content: text })).body;
const message = async (id: string) => (await p.api.get(`/api/v1/conversations/${conv}/messages?limit=100`)).body.data.find((m: any) => m.id === id);
const sentCount = (text: string) => sends.filter((s) => s.text === text).length;

describe('outbox', () => {
  it('retries a retryable failure with backoff, then sends exactly once', async () => {
    script.set('twice-flaky', ['retry', 'retry', 'ok']);
    const m = await reply('twice-flaky');
    expect(m.deliveryStatus).toBe('queued');
    await deliverDueOutbox(p.deps);
    expect((await message(m.id)).deliveryStatus).toBe('queued');
    expect((await message(m.id)).error).toContain('503');
    // Not due yet: nothing happens before the backoff elapses.
    await deliverDueOutbox(p.deps);
    expect(sentCount('twice-flaky')).toBe(1);
    clock.advance(2_001);
    await deliverDueOutbox(p.deps);
    expect(sentCount('twice-flaky')).toBe(2);
    clock.advance(3_000); // second backoff is 4 s
    await deliverDueOutbox(p.deps);
    expect(sentCount('twice-flaky')).toBe(2);
    clock.advance(1_001);
    await deliverDueOutbox(p.deps);
    clock.advance(60_000);
    await deliverDueOutbox(p.deps);
    expect(sentCount('twice-flaky')).toBe(3);
    const done = await message(m.id);
    expect(done).toMatchObject({ deliveryStatus: 'sent', error: null, externalId: `plat-${m.id}` });
  });

  it('honours Retry-After', async () => {
    script.set('rate-limited', ['retry-after', 'ok']);
    const m = await reply('rate-limited');
    await deliverDueOutbox(p.deps);
    clock.advance(30_000);
    await deliverDueOutbox(p.deps);
    expect(sentCount('rate-limited')).toBe(1);
    clock.advance(30_001);
    await deliverDueOutbox(p.deps);
    expect(sentCount('rate-limited')).toBe(2);
    expect((await message(m.id)).deliveryStatus).toBe('sent');
  });

  it('records a permanent failure with its error, and the agent can retry it', async () => {
    script.set('doomed', ['permanent', 'ok']);
    const m = await reply('doomed');
    await deliverDueOutbox(p.deps);
    const failed = await message(m.id);
    expect(failed).toMatchObject({ deliveryStatus: 'failed', error: '(#100) The recipient is not a valid user' });
    clock.advance(3_600_000);
    await deliverDueOutbox(p.deps);
    expect(sentCount('doomed')).toBe(1);
    const retried = await p.api.post(`/api/v1/messages/${m.id}/retry`);
    expect(retried.body.deliveryStatus).toBe('queued');
    await deliverDueOutbox(p.deps);
    expect(sentCount('doomed')).toBe(2);
    expect((await message(m.id)).deliveryStatus).toBe('sent');
    expect((await p.api.post(`/api/v1/messages/${m.id}/retry`)).status).toBe(409);
  });

  it('never sends a row twice when two processes deliver at once', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `parallel-${i}`);
    for (const t of texts) { script.set(t, ['slow']); await reply(t); }
    // Three loops on one store, as three processes would have: each claims row by row.
    const loops = [new OutboxLoop(p.deps), new OutboxLoop(p.deps), new OutboxLoop(p.deps)];
    const totals = (await Promise.all(loops.map((l) => l.drain()))).map((r) => r.sent);
    expect(totals.reduce((x, y) => x + y, 0)).toBe(20);
    expect(totals.filter((t) => t > 0).length).toBeGreaterThan(1);
    for (const t of texts) expect(sentCount(t)).toBe(1);
  });

  it('a row abandoned mid-send becomes "unknown" with a reason, is never re-sent blindly, and the agent can retry it', async () => {
    const m = await reply('abandoned');
    // A worker claimed it, called the platform and died.
    await p.store.run("UPDATE outbox SET status = 'sending', lock_token = 'dead', locked_until = ? WHERE message_id = ?", [clock.now() + 30_000, m.id]);
    await deliverDueOutbox(p.deps);
    expect(sentCount('abandoned')).toBe(0);
    expect((await message(m.id)).deliveryStatus).toBe('queued');
    clock.advance(30_001);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ unknown: 1, claimed: 0 });
    expect(sentCount('abandoned')).toBe(0);
    const unknown = await message(m.id);
    expect(unknown.deliveryStatus).toBe('unknown');
    expect(unknown.error).toContain('outcome unknown');
    expect(unknown.error).toContain('retry only if it is missing');
    expect((await p.api.post(`/api/v1/messages/${m.id}/retry`)).body.deliveryStatus).toBe('queued');
    await deliverDueOutbox(p.deps);
    expect(sentCount('abandoned')).toBe(1);
  });

  it('a row claimed but never sent by a worker that died goes back to the queue when its lease ends', async () => {
    const m = await reply('claimed-only');
    await p.store.run("UPDATE outbox SET status = 'claimed', lock_token = 'dead', locked_until = ? WHERE message_id = ?", [clock.now() + 30_000, m.id]);
    await deliverDueOutbox(p.deps);
    expect(sentCount('claimed-only')).toBe(0);
    clock.advance(30_001);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ unknown: 0, sent: 1 });
    expect((await message(m.id)).deliveryStatus).toBe('sent');
  });

  it('a worker that lost its claim before calling the platform does not send', async () => {
    const m = await reply('stolen');
    const [row] = await p.store.all("SELECT * FROM outbox WHERE message_id = ?", [m.id]);
    await p.store.run("UPDATE outbox SET status = 'claimed', lock_token = 'mine' WHERE id = ?", [row.id]);
    // Another worker recovered and re-claimed it meanwhile.
    await p.store.run("UPDATE outbox SET lock_token = 'theirs' WHERE id = ?", [row.id]);
    expect(await sendClaimed(p.deps, { ...row, status: 'claimed' }, 'mine', 30_000)).toEqual({ outcome: 'lost' });
    expect(sentCount('stolen')).toBe(0);
    await p.store.run("UPDATE outbox SET status = 'pending', lock_token = NULL WHERE id = ?", [row.id]);
    await deliverDueOutbox(p.deps);
    expect(sentCount('stolen')).toBe(1);
  });

  it('never sends a private note', async () => {
    const before = sends.length;
    const note = await p.api.post(`/api/v1/conversations/${conv}/messages`, { content: 'note to self', private: true });
    expect(note.body.private).toBe(true);
    await deliverDueOutbox(p.deps);
    expect(sends.length).toBe(before);
  });
});
