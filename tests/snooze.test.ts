// Statuses: snooze woken by the scheduled job (manual clock, no sleeping) or by the customer's
// next message; resolve and reopen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { jobs } from '../src/domain/jobs.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { createWebchatInbox, customerWrites } from './helpers/workflow.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const HOUR = 3_600_000;
let p: TestParley;
let clock: ReturnType<typeof manualClock>;
let inbox: { id: string; webchatToken: string };
const job = jobs.find((j) => j.name === 'snooze-wake')!;

beforeAll(async () => {
  clock = manualClock(T0);
  p = await startTestParley({ clock });
  inbox = await createWebchatInbox(p, p.adminToken, 'Support');
});
afterAll(() => p.stop());

const status = async (id: string) => (await p.api.get(`/api/v1/conversations/${id}`)).body;

describe('snooze', () => {
  it('is a 30-second scheduled job', () => {
    expect(job).toBeDefined();
    expect(job.cron).toBe('*/30 * * * * *');
  });

  it('the job reopens a snoozed conversation once its time has come, not before', async () => {
    const { conversationId: id } = await customerWrites(p, inbox.webchatToken, 'call me back tomorrow');
    const other = await customerWrites(p, inbox.webchatToken, 'later please');
    const s = await p.api.post(`/api/v1/conversations/${id}/status`, { status: 'snoozed', snoozeUntil: new Date(clock.now() + 2 * HOUR).toISOString() });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ status: 'snoozed', snoozeUntil: new Date(T0 + 2 * HOUR).toISOString() });
    await p.api.post(`/api/v1/conversations/${other.conversationId}/status`, { status: 'snoozed', snoozeUntil: clock.now() + 5 * HOUR });

    clock.advance(2 * HOUR - 1);
    expect(await job.run(p.deps)).toEqual({ woken: [] });
    expect((await status(id)).status).toBe('snoozed');

    const since = (await p.store.get<{ m: number }>('SELECT coalesce(max(id), 0) AS m FROM events'))!.m;
    clock.advance(1);
    expect(await job.run(p.deps)).toEqual({ woken: [id] });
    expect(await status(id)).toMatchObject({ status: 'open', snoozeUntil: null });
    expect((await status(other.conversationId)).status).toBe('snoozed');
    const ev = await p.store.all<{ payload: string }>("SELECT payload FROM events WHERE id > ? AND type = 'conversation.updated' AND conversation_id = ?", [since, id]);
    expect(ev.map((e) => JSON.parse(e.payload).change)).toEqual([{ status: 'open', by: null, reason: 'snooze_expired' }]);
    // Running again wakes nothing twice.
    expect(await job.run(p.deps)).toEqual({ woken: [] });
  });

  it("the customer's next message wakes a snoozed conversation early", async () => {
    const c = await customerWrites(p, inbox.webchatToken, 'I will check and come back');
    await p.api.post(`/api/v1/conversations/${c.conversationId}/status`, { status: 'snoozed', snoozeUntil: clock.now() + 24 * HOUR });
    expect((await status(c.conversationId)).status).toBe('snoozed');
    clock.advance(HOUR);
    await c.writeAgain('found the receipt');
    expect(await status(c.conversationId)).toMatchObject({ status: 'open', snoozeUntil: null, unreadCount: 2 });
    clock.advance(24 * HOUR);
    expect((await job.run(p.deps) as { woken: string[] }).woken).not.toContain(c.conversationId);
  });

  it('snoozing needs a future time', async () => {
    const c = await customerWrites(p, inbox.webchatToken, 'x');
    expect((await p.api.post(`/api/v1/conversations/${c.conversationId}/status`, { status: 'snoozed' })).status).toBe(400);
    expect((await p.api.post(`/api/v1/conversations/${c.conversationId}/status`, { status: 'snoozed', snoozeUntil: clock.now() - 1 })).status).toBe(400);
  });
});

describe('resolve and reopen', () => {
  it('resolves, then reopens by the API (status open) and by the customer', async () => {
    const c = await customerWrites(p, inbox.webchatToken, 'thanks, all good');
    const r = await p.api.post(`/api/v1/conversations/${c.conversationId}/status`, { status: 'resolved' });
    expect(r.body).toMatchObject({ status: 'resolved', resolvedAt: new Date(clock.now()).toISOString() });
    const reopened = await p.api.post(`/api/v1/conversations/${c.conversationId}/status`, { status: 'open' });
    expect(reopened.body).toMatchObject({ status: 'open', resolvedAt: null });
    await p.api.post(`/api/v1/conversations/${c.conversationId}/status`, { status: 'resolved' });
    await c.writeAgain('actually, one more thing');
    expect(await status(c.conversationId)).toMatchObject({ status: 'open', resolvedAt: null });
    const list = await p.api.get(`/api/v1/conversations?status=open&inboxId=${inbox.id}`);
    expect(list.body.data.map((x: any) => x.id)).toContain(c.conversationId);
  });
});
