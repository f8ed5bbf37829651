// Follow-up: one polite automatic message after the customer goes quiet, then auto-resolve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { runFollowUps } from '../src/domain/workflow/follow-up.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { apiClient, startTestParley, type TestParley, visitorApi } from './helpers/parley.js';
import { reactionsSettled } from '../src/domain/reactions.js';
import { createInbox } from './helpers/inboxes.js';

const H = 3_600_000;
const T0 = Date.parse('2026-10-12T10:00:00+08:00');
const clock = manualClock(T0);
let p: TestParley;
let inbox: { id: string; token: string };

beforeAll(async () => {
  p = await startTestParley({ clock });
  const created = await createInbox(p.api, 'webchat', {}, { name: 'Site', settings: { followUp: { afterHours: 24, message: 'Is there anything else we can help with?', autoResolveAfterHours: 48 } } });
  inbox = { id: created.id, token: created.webchatToken! };
});
afterAll(() => p.stop());

async function startChat(content: string) {
  const s = await apiClient(p.url).post(`/public/webchat/${inbox.token}/sessions`, { name: 'Quiet customer' });
  const v = visitorApi(p.url, inbox.token, s.body.visitorToken);
  expect((await v.post(`/public/webchat/${inbox.token}/messages`, { content })).status).toBe(201);
  await reactionsSettled(p.deps);
  const convId = (await v.get(`/public/webchat/${inbox.token}/messages`)).body.data[0] && (await p.api.get(`/api/v1/conversations?inboxId=${inbox.id}&limit=100`)).body.data[0].id;
  return { v, convId: convId as string };
}
const thread = async (v: ReturnType<typeof apiClient>) => (await v.get(`/public/webchat/${inbox.token}/messages`)).body;
const status = async (id: string) => (await p.api.get(`/api/v1/conversations/${id}`)).body.status;

describe('follow-up', () => {
  it('follows up once after N hours of customer silence, then resolves after M more', async () => {
    clock.set(T0);
    const { v, convId } = await startChat('How do I change my email address?');
    clock.advance(60_000);
    expect((await p.api.post(`/api/v1/conversations/${convId}/messages`, { content: 'Go to Settings > Account.' })).status).toBe(201);
    await deliverDueOutbox(p.deps);

    clock.set(T0 + 23 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 0, resolved: 0 });

    clock.set(T0 + 24 * H + 2 * 60_000);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 1 });
    await deliverDueOutbox(p.deps);
    let mine = await thread(v);
    expect(mine.data.map((m: any) => [m.direction, m.sender.type, m.content])).toEqual([
      ['in', 'contact', 'How do I change my email address?'],
      ['out', 'user', 'Go to Settings > Account.'],
      ['out', 'bot', 'Is there anything else we can help with?'],
    ]);
    expect(mine.data[2].deliveryStatus).toBe('sent');
    const stored = await p.deps.store.get<{ meta: string }>('SELECT meta FROM messages WHERE id = ?', [mine.data[2].id]);
    expect(JSON.parse(stored!.meta)).toEqual({ followUp: true });

    // Never twice for the same silence, however long it lasts.
    clock.set(T0 + 60 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 0, resolved: 0 });
    expect(await status(convId)).toBe('open');

    clock.set(T0 + 24 * H + 2 * 60_000 + 48 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 0, resolved: 1 });
    expect(await status(convId)).toBe('resolved');
    mine = await thread(v);
    expect(mine.status).toBe('resolved');
    expect(mine.data.filter((m: any) => m.sender.type === 'bot')).toHaveLength(1);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 0, resolved: 0 });
  });

  it('a customer reply resets it: no auto-resolve, and a later silence gets its own follow-up', async () => {
    clock.set(T0 + 1000 * H);
    const base = T0 + 1000 * H;
    const { v, convId } = await startChat('Where is my parcel?');
    await p.api.post(`/api/v1/conversations/${convId}/messages`, { content: 'It ships tomorrow.' });
    clock.set(base + 25 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 1 });

    clock.set(base + 30 * H);
    await v.post(`/public/webchat/${inbox.token}/messages`, { content: 'Still not here' });
    await reactionsSettled(p.deps);
    // The customer is waiting on us now: neither a follow-up nor a resolve.
    clock.set(base + 100 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 0, resolved: 0 });
    expect(await status(convId)).toBe('open');

    await p.api.post(`/api/v1/conversations/${convId}/messages`, { content: 'Sorry! We sent a new one.' });
    clock.set(base + 125 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 1 });
    const bots = (await thread(v)).data.filter((m: any) => m.sender.type === 'bot');
    expect(bots).toHaveLength(2);
    expect(await status(convId)).toBe('open');
  });

  it('does nothing while the customer waits on us or when the inbox has no followUp setting', async () => {
    clock.set(T0 + 2000 * H);
    // The conversation of the previous test, silent since its second follow-up, resolves now.
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 0, resolved: 1 });
    const { convId } = await startChat('Hello, anyone?');
    clock.set(T0 + 2100 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 0, resolved: 0 });
    expect(await status(convId)).toBe('open');

    const other = await p.api.post('/api/v1/inboxes', { name: 'No follow-up', channel: 'webchat', config: {} });
    const s = await apiClient(p.url).post(`/public/webchat/${other.body.webchatToken}/sessions`, {});
    await apiClient(p.url, s.body.visitorToken).post(`/public/webchat/${other.body.webchatToken}/messages`, { content: 'hi' });
    const conv = (await p.api.get(`/api/v1/conversations?inboxId=${other.body.id}`)).body.data[0];
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'hello' });
    clock.set(T0 + 2500 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 0, resolved: 0 });
  });
});
