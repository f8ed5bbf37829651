// SLA in business hours: clocks, warnings, breaches, the list filter; plus the calendar itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessCalendar } from '../src/domain/workflow/business-hours.js';
import { manualClock } from '../src/domain/core/clock.js';
import { checkSla } from '../src/domain/workflow/sla.js';
import { apiClient, startTestParley, type TestParley, visitorApi } from './helpers/parley.js';
import { reactionsSettled } from '../src/domain/reactions.js';
import { createInbox } from './helpers/inboxes.js';

const WEEKDAYS = { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] };
const at = (s: string) => Date.parse(s);
// Friday 2026-10-09 20:00 in Shanghai (UTC+8, no DST).
const FRIDAY_8PM = at('2026-10-09T20:00:00+08:00');

let p: TestParley;
const clock = manualClock(FRIDAY_8PM);

beforeAll(async () => { p = await startTestParley({ clock }); });
afterAll(() => p.stop());

async function webchatInbox(settings: Record<string, unknown>) {
  const inbox = await createInbox(p.api, 'webchat', {}, { settings });
  return { id: inbox.id, token: inbox.webchatToken! };
}

async function customerWrites(inbox: { token: string }, content: string, visitorToken?: string) {
  const pub = apiClient(p.url);
  const vt = visitorToken ?? (await pub.post(`/public/webchat/${inbox.token}/sessions`, { name: 'Customer' })).body.visitorToken;
  const sent = await visitorApi(p.url, inbox.token, vt).post(`/public/webchat/${inbox.token}/messages`, { content });
  expect(sent.status).toBe(201);
  await reactionsSettled(p.deps);
  return vt as string;
}

async function conversationOf(inboxId: string) {
  const list = await p.api.get(`/api/v1/conversations?inboxId=${inboxId}`);
  expect(list.body.data).toHaveLength(1);
  return (await p.api.get(`/api/v1/conversations/${list.body.data[0].id}`)).body;
}

const listed = async (state: string) => (await p.api.get(`/api/v1/conversations?sla=${state}&limit=100`)).body.data.map((c: any) => c.id);
const slaEvents = async (conversationId: string) => (await p.deps.store.all<{ type: string; payload: string }>(
  "SELECT type, payload FROM events WHERE type LIKE 'sla.%' AND conversation_id = ? ORDER BY id", [conversationId])).map((e) => ({ type: e.type, ...JSON.parse(e.payload) }));

describe('SLA measured in business hours', () => {
  it('a conversation arriving Friday 20:00 is not breached on Saturday nor Monday 09:30, but is at Monday 10:01', async () => {
    clock.set(FRIDAY_8PM);
    const inbox = await webchatInbox({ businessHours: { timezone: 'Asia/Shanghai', weekly: WEEKDAYS }, sla: { firstReplyMinutes: 60, nextReplyMinutes: 30 } });
    const vt = await customerWrites(inbox, '我的银行卡无法绑定');
    await checkSla(p.deps);
    let conv = await conversationOf(inbox.id);
    // Friday evening and the weekend are closed: the hour runs Monday 09:00-10:00.
    expect(conv.sla).toEqual({ state: 'ok', kind: 'first_reply', dueAt: '2026-10-12T02:00:00.000Z' });

    clock.set(at('2026-10-10T15:00:00+08:00')); // Saturday afternoon
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla.state).toBe('ok');
    expect(await listed('breached')).not.toContain(conv.id);

    clock.set(at('2026-10-12T09:30:00+08:00')); // Monday 09:30: 30 of 60 business minutes used
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla.state).toBe('ok');
    expect(await slaEvents(conv.id)).toEqual([]);

    clock.set(at('2026-10-12T09:50:00+08:00')); // past 80 %
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla.state).toBe('warning');
    expect(await listed('warning')).toContain(conv.id);
    expect(await listed('breached')).not.toContain(conv.id);

    clock.set(at('2026-10-12T10:01:00+08:00'));
    await checkSla(p.deps);
    conv = await conversationOf(inbox.id);
    expect(conv.sla).toEqual({ state: 'breached', kind: 'first_reply', dueAt: '2026-10-12T02:00:00.000Z' });
    expect(await listed('breached')).toContain(conv.id);
    expect(await listed('warning')).not.toContain(conv.id);

    // Each event once, however often the job runs.
    await checkSla(p.deps);
    await checkSla(p.deps);
    expect(await slaEvents(conv.id)).toEqual([
      expect.objectContaining({ type: 'sla.warning', kind: 'first_reply', dueAt: '2026-10-12T02:00:00.000Z' }),
      expect.objectContaining({ type: 'sla.breached', kind: 'first_reply', dueAt: '2026-10-12T02:00:00.000Z' }),
    ]);

    // The agent answers: the clock stops and the conversation leaves the breached list.
    expect((await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '您好，我们来看看' })).status).toBe(201);
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla).toBeNull();
    expect(await listed('breached')).not.toContain(conv.id);

    // Next reply: the customer writes at 17:50 Monday; 30 business minutes run out Tuesday 09:20.
    clock.set(at('2026-10-12T17:50:00+08:00'));
    await customerWrites(inbox, '还是不行', vt);
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla).toEqual({ state: 'ok', kind: 'next_reply', dueAt: '2026-10-13T01:20:00.000Z' });
    clock.set(at('2026-10-13T09:19:00+08:00'));
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla.state).toBe('warning');
    clock.set(at('2026-10-13T09:21:00+08:00'));
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla).toMatchObject({ state: 'breached', kind: 'next_reply' });
    expect((await slaEvents(conv.id)).filter((e) => e.type === 'sla.breached').map((e) => e.kind)).toEqual(['first_reply', 'next_reply']);
  });

  it('without businessHours the clock runs around the clock, and resolving stops it', async () => {
    clock.set(FRIDAY_8PM);
    const inbox = await webchatInbox({ sla: { firstReplyMinutes: 60, warnAtPercent: 50 } });
    await customerWrites(inbox, 'hello?');
    await checkSla(p.deps);
    const conv = await conversationOf(inbox.id);
    expect(conv.sla).toEqual({ state: 'ok', kind: 'first_reply', dueAt: '2026-10-09T13:00:00.000Z' });
    clock.set(at('2026-10-09T21:01:00+08:00'));
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla.state).toBe('breached');
    // Breached straight away (the job did not run at 50 %): only the breach is raised.
    expect((await slaEvents(conv.id)).map((e) => e.type)).toEqual(['sla.breached']);
    await p.api.post(`/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla).toBeNull();
    expect(await listed('breached')).not.toContain(conv.id);
  });

  it('an inbox without an sla setting gets no clock', async () => {
    clock.set(FRIDAY_8PM);
    const inbox = await webchatInbox({ businessHours: { timezone: 'Asia/Shanghai', weekly: WEEKDAYS } });
    await customerWrites(inbox, 'hi');
    clock.set(at('2026-10-20T10:00:00+08:00'));
    await checkSla(p.deps);
    expect((await conversationOf(inbox.id)).sla).toBeNull();
  });
});

describe('GET /inboxes/:id/business-hours', () => {
  it('says whether the inbox is open now and names what is wrong with a schedule', async () => {
    clock.set(at('2026-10-12T10:00:00+08:00')); // Monday morning
    const open = await webchatInbox({ businessHours: { timezone: 'Asia/Shanghai', weekly: WEEKDAYS } });
    expect((await p.api.get(`/api/v1/inboxes/${open.id}/business-hours`)).body).toEqual({ configured: true, valid: true, error: null, openNow: true });
    clock.set(at('2026-10-12T20:00:00+08:00'));
    expect((await p.api.get(`/api/v1/inboxes/${open.id}/business-hours`)).body.openNow).toBe(false);
    // PATCH refuses a bad schedule; one stored before validation existed is still reported.
    const bad = await webchatInbox({});
    const refused = await p.api.raw(`/api/v1/inboxes/${bad.id}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { businessHours: { timezone: 'Mars/Olympus', weekly: WEEKDAYS } } }),
    });
    expect(refused.status).toBe(400);
    await p.store.run('UPDATE inboxes SET settings = ? WHERE id = ?', [JSON.stringify({ businessHours: { timezone: 'Mars/Olympus', weekly: WEEKDAYS } }), bad.id]);
    const r = await p.api.get(`/api/v1/inboxes/${bad.id}/business-hours`);
    expect(r.body).toMatchObject({ configured: true, valid: false, openNow: true });
    expect(r.body.error).toMatch(/^businessHours\.timezone: /);
    const none = await webchatInbox({});
    expect((await p.api.get(`/api/v1/inboxes/${none.id}/business-hours`)).body).toEqual({ configured: false, valid: false, error: null, openNow: true });
    const outsider = await p.createUser('agent', 'Outsider');
    expect((await p.as(outsider.token).get(`/api/v1/inboxes/${open.id}/business-hours`)).status).toBe(404);
  });
});

describe('business-hours calendar', () => {
  const cal = businessCalendar({ timezone: 'Asia/Shanghai', weekly: WEEKDAYS as never, holidays: ['2026-10-01', '2026-10-02'] });
  it('knows open and closed times in the zone', () => {
    expect(cal.isOpen(at('2026-10-12T09:00:00+08:00'))).toBe(true);
    expect(cal.isOpen(at('2026-10-12T17:59:59+08:00'))).toBe(true);
    expect(cal.isOpen(at('2026-10-12T18:00:00+08:00'))).toBe(false);
    expect(cal.isOpen(at('2026-10-10T12:00:00+08:00'))).toBe(false); // Saturday
    expect(cal.isOpen(at('2026-10-01T10:00:00+08:00'))).toBe(false); // holiday (a Thursday)
  });
  it('adds and measures business time across nights, weekends and holidays', () => {
    expect(new Date(cal.addBusinessMs(at('2026-09-30T17:30:00+08:00'), 60 * 60_000)).toISOString()).toBe('2026-10-05T01:30:00.000Z'); // Mon 09:30
    expect(cal.businessMsBetween(FRIDAY_8PM, at('2026-10-12T10:01:00+08:00')) / 60_000).toBe(61);
    expect(cal.businessMsBetween(at('2026-10-12T10:00:00+08:00'), at('2026-10-12T09:00:00+08:00'))).toBe(0);
  });
  it('follows daylight saving time (New York, 1 November 2026 has 25 hours)', () => {
    const ny = businessCalendar({ timezone: 'America/New_York', weekly: { sun: [['00:00', '24:00']], mon: [['09:00', '17:00']] } as never });
    expect(ny.businessMsBetween(at('2026-11-01T00:00:00-04:00'), at('2026-11-02T00:00:00-05:00')) / 3_600_000).toBe(25);
    expect(new Date(ny.addBusinessMs(at('2026-11-02T00:00:00-05:00'), 60_000)).toISOString()).toBe('2026-11-02T14:01:00.000Z');
  });
});
