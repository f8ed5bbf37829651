import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../connectors/registry.js';
import { RetryableError, type InboundEvent } from '../connectors/types.js';
import { webchat } from '../connectors/webchat/index.js';
import { manualClock } from '../src/domain/core/clock.js';
import { pollDueInboxes } from '../src/domain/ingest/polling.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { inboundMessage } from './helpers/inbound.js';

// A platform with a backlog of 7 messages served 3 per page, that can be told to fail.
const backlog: InboundEvent[] = Array.from({ length: 7 }, (_, i) =>
  inboundMessage({ externalId: `b${i}`, threadKey: 'backlog', text: `backlog ${i}`, sentAt: Date.UTC(2026, 0, 1), sender: { externalId: 'cust' } }));
let failWith: Error | null = null;
let calls = 0;
const polling = {
  ...webchat,
  pollSeconds: () => 60,
  async poll(_c: unknown, cursor: string | null) {
    calls++;
    if (failWith) throw failWith;
    const from = Number(cursor ?? 0);
    const page = backlog.slice(from, from + 3);
    return { events: page, cursor: String(from + page.length), more: from + page.length < backlog.length };
  },
};

const clock = manualClock(Date.UTC(2026, 10, 2, 10, 0, 0));
let p: TestParley;
let inboxId: string;
beforeAll(async () => {
  p = await startTestParley({ clock, connectors: createRegistry({ webchat: polling }) });
  inboxId = (await p.api.post('/api/v1/inboxes', { name: 'Polled', channel: 'webchat', config: {} })).body.id;
});
afterAll(() => p.stop());

const inbox = async () => (await p.api.get(`/api/v1/inboxes/${inboxId}`)).body;
const stored = async () => (await p.store.get<any>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [inboxId])).n;

describe('polling', () => {
  it('drains a backlog page after page, then waits the interval', async () => {
    await pollDueInboxes(p.deps);
    expect(await stored()).toBe(3);
    await pollDueInboxes(p.deps); // due again at once: the platform said there is more
    await pollDueInboxes(p.deps);
    expect(await stored()).toBe(7);
    const before = calls;
    await pollDueInboxes(p.deps);
    expect(calls).toBe(before); // caught up: next poll in 60 s
    clock.advance(60_000);
    await pollDueInboxes(p.deps);
    expect(calls).toBe(before + 1);
    expect(await stored()).toBe(7);
  });

  it('marks the inbox as needing attention, backs off, honours Retry-After, and recovers', async () => {
    failWith = new Error('Invalid credentials (Failure)');
    clock.advance(60_000);
    await pollDueInboxes(p.deps);
    expect(await inbox()).toMatchObject({ health: 'needs_attention', healthError: 'Invalid credentials (Failure)' });
    const after1 = calls;
    clock.advance(60_000);
    await pollDueInboxes(p.deps);
    expect(calls).toBe(after1); // backing off (2 x 60 s)
    clock.advance(60_001);
    failWith = new RetryableError('429 Too Many Requests', 15 * 60_000);
    await pollDueInboxes(p.deps);
    expect(calls).toBe(after1 + 1);
    clock.advance(14 * 60_000);
    await pollDueInboxes(p.deps);
    expect(calls).toBe(after1 + 1); // the platform said 15 minutes
    failWith = null;
    clock.advance(60_001);
    await pollDueInboxes(p.deps);
    expect(await inbox()).toMatchObject({ health: 'ok', healthError: null });
  });
});
