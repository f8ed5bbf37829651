// CSAT: rating request on resolve, answered from the web chat widget or by a digit reply.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../connectors/registry.js';
import type { Connector, InboundEvent, OutboundMessage } from '../connectors/types.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { apiClient, collectSse, startTestParley, type TestParley } from './helpers/parley.js';
import { reactionsSettled } from '../src/domain/reactions.js';
import { createInbox } from './helpers/inboxes.js';
import { inboundMessage } from './helpers/inbound.js';

// A generic messaging channel for the test: webhook body {id, from, text} in, sends recorded.
const sent: OutboundMessage[] = [];
const testChannel = (kind: 'api' | 'sms', replyWindowHours?: number): Connector<Record<string, unknown>> => ({
  kind,
  info: { label: 'Test channel', badge: 'T', color: '#475569', configTemplate: {} },
  config: z.object({}).passthrough(),
  parse(raw) {
    const b = JSON.parse(new TextDecoder().decode(raw)) as { id: string; from: string; text: string };
    const e: InboundEvent = inboundMessage({ externalId: b.id, threadKey: b.from, text: b.text, sentAt: clock.now() });
    return [e];
  },
  async send(_c, msg) { sent.push(msg); return { externalId: `out-${msg.messageId}` }; },
  limits: { attachments: false, ...(replyWindowHours ? { replyWindowHours } : {}) },
});

const clock = manualClock(Date.parse('2026-10-12T10:00:00+08:00'));
let p: TestParley;

beforeAll(async () => {
  p = await startTestParley({ clock, connectors: createRegistry({ api: testChannel('api'), sms: testChannel('sms', 24) }) });
});
afterAll(() => p.stop());

async function inbox(channel: string, settings: Record<string, unknown>) {
  const created = await createInbox(p.api, channel, {}, { settings });
  return { id: created.id, token: created.webchatToken! };
}

async function resolve(convId: string) {
  const r = await p.api.post(`/api/v1/conversations/${convId}/status`, { status: 'resolved' });
  expect(r.status).toBe(200);
  await reactionsSettled(p.deps);
}

async function hook(inboxId: string, body: { id: string; from: string; text: string }) {
  const r = await apiClient(p.url).post(`/webhooks/${inboxId}`, body);
  expect(r.status).toBe(200);
  await reactionsSettled(p.deps);
}

const eventsOf = async (convId: string, type: string) => (await p.deps.store.all<{ payload: string }>(
  'SELECT payload FROM events WHERE conversation_id = ? AND type = ? ORDER BY id', [convId, type])).map((e) => JSON.parse(e.payload));

describe('CSAT on web chat', () => {
  it('round trip: resolve -> request on the visitor\'s messages and stream -> rating -> shown on the conversation', async () => {
    const site = await inbox('webchat', { csat: { enabled: true } });
    const s = await apiClient(p.url).post(`/public/webchat/${site.token}/sessions`, { name: '李雷' });
    const v = apiClient(p.url, s.body.visitorToken);
    await v.post(`/public/webchat/${site.token}/messages`, { content: '我的银行卡无法绑定' });
    const conv = (await p.api.get(`/api/v1/conversations?inboxId=${site.id}`)).body.data[0];
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '已经为您处理好了' });

    // Rating before anything was requested: refused.
    expect((await v.post(`/public/webchat/${site.token}/csat`, { rating: 5 })).status).toBe(409);

    const stream = await fetch(`${p.url}/public/webchat/${site.token}/events?visitorToken=${encodeURIComponent(s.body.visitorToken)}`);
    expect(stream.status).toBe(200);
    await resolve(conv.id);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 2, failed: 0 });

    const seen = await collectSse(stream, (es) => es.some((e) => e.event === 'csat.requested'));
    expect(seen.map((e) => e.event)).toContain('csat.requested');
    const request = seen.find((e) => e.event === 'message.created' && e.data.message.sender.type === 'bot');
    expect(request?.data.message.content).toMatch(/1.*5/);

    const mine = await v.get(`/public/webchat/${site.token}/messages`);
    expect(mine.body.status).toBe('resolved');
    const last = mine.body.data[mine.body.data.length - 1];
    expect(last).toMatchObject({ direction: 'out', sender: { type: 'bot' }, deliveryStatus: 'sent' });
    expect(last.content).toContain('1'); // Chinese question, since the customer wrote Chinese
    expect(last.content).toMatch(/评分|打分/);

    // Bad ratings are refused before anything is stored.
    expect((await v.post(`/public/webchat/${site.token}/csat`, { rating: 6 })).status).toBe(400);
    // Another visitor cannot rate this conversation.
    const other = await apiClient(p.url).post(`/public/webchat/${site.token}/sessions`, {});
    expect((await apiClient(p.url, other.body.visitorToken).post(`/public/webchat/${site.token}/csat`, { rating: 1 })).status).toBe(409);
    expect((await apiClient(p.url).post(`/public/webchat/${site.token}/csat`, { rating: 1 })).status).toBe(401);

    const rated = await v.post(`/public/webchat/${site.token}/csat`, { rating: 5, comment: '很快，谢谢' });
    expect(rated.status).toBe(200);
    expect(rated.body).toEqual({ rating: 5, comment: '很快，谢谢' });
    const after = await p.api.get(`/api/v1/conversations/${conv.id}`);
    expect(after.body.csat).toEqual({ rating: 5, comment: '很快，谢谢' });
    expect(after.body.status).toBe('resolved');
    expect(await eventsOf(conv.id, 'csat.received')).toEqual([expect.objectContaining({ rating: 5, comment: '很快，谢谢' })]);
    // Once per conversation (reports count each answer once).
    expect((await v.post(`/public/webchat/${site.token}/csat`, { rating: 1 })).status).toBe(409);

    // Resolving again does not ask again.
    await p.api.post(`/api/v1/conversations/${conv.id}/status`, { status: 'open' });
    await resolve(conv.id);
    expect(await eventsOf(conv.id, 'csat.requested')).toHaveLength(1);
  });

  it('no request when the inbox has CSAT off', async () => {
    const site = await inbox('webchat', {});
    const s = await apiClient(p.url).post(`/public/webchat/${site.token}/sessions`, {});
    await apiClient(p.url, s.body.visitorToken).post(`/public/webchat/${site.token}/messages`, { content: 'hi' });
    const conv = (await p.api.get(`/api/v1/conversations?inboxId=${site.id}`)).body.data[0];
    await resolve(conv.id);
    expect(await eventsOf(conv.id, 'csat.requested')).toEqual([]);
    expect((await p.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data).toHaveLength(1);
  });
});

describe('CSAT by reply on other channels', () => {
  it('a digit reply is the rating and does not reopen; other text reopens as usual', async () => {
    const ch = await inbox('api', { csat: { enabled: true, question: 'How did we do? Reply 1-5.' } });
    await hook(ch.id, { id: 'm1', from: 'cust-1', text: 'my card does not work' });
    const conv = (await p.api.get(`/api/v1/conversations?inboxId=${ch.id}`)).body.data[0];
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Fixed it for you.' });
    await resolve(conv.id);
    sent.length = 0;
    await deliverDueOutbox(p.deps);
    expect(sent.map((m) => [m.recipient.externalId, m.text])).toEqual([['cust-1', 'Fixed it for you.'], ['cust-1', 'How did we do? Reply 1-5.']]);

    await hook(ch.id, { id: 'm2', from: 'cust-1', text: '４ quick and friendly' });
    const rated = (await p.api.get(`/api/v1/conversations/${conv.id}`)).body;
    expect(rated.status).toBe('resolved');
    expect(rated.csat).toEqual({ rating: 4, comment: 'quick and friendly' });
    expect(await eventsOf(conv.id, 'csat.received')).toEqual([expect.objectContaining({ rating: 4, comment: 'quick and friendly', source: 'reply' })]);
    // The answer is kept in the thread for the agents.
    const thread = (await p.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data;
    expect(thread[thread.length - 1]).toMatchObject({ direction: 'in', content: '４ quick and friendly' });

    // Once rated, a later "5" is just a message: the conversation reopens.
    await hook(ch.id, { id: 'm3', from: 'cust-1', text: '5' });
    const again = (await p.api.get(`/api/v1/conversations/${conv.id}`)).body;
    expect(again.status).toBe('open');
    expect(again.csat).toEqual({ rating: 4, comment: 'quick and friendly' });

    // Another customer answers with words, not a rating: reopened, nothing stored.
    await hook(ch.id, { id: 'n1', from: 'cust-2', text: 'help' });
    const conv2 = (await p.api.get(`/api/v1/conversations?inboxId=${ch.id}&status=open`)).body.data.find((c: any) => c.id !== conv.id);
    await resolve(conv2.id);
    await hook(ch.id, { id: 'n2', from: 'cust-2', text: 'actually 3 more questions' });
    const c2 = (await p.api.get(`/api/v1/conversations/${conv2.id}`)).body;
    expect(c2.status).toBe('open');
    expect(c2.csat).toBeNull();
  });

  it('skips the request when the channel\'s reply window has closed', async () => {
    const ch = await inbox('sms', { csat: { enabled: true } });
    await hook(ch.id, { id: 's1', from: '+8613800000000', text: 'hello' });
    const conv = (await p.api.get(`/api/v1/conversations?inboxId=${ch.id}`)).body.data[0];
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'hi!' });
    clock.advance(25 * 3_600_000);
    await resolve(conv.id);
    expect(await eventsOf(conv.id, 'csat.requested')).toEqual([]);
    const req = await p.deps.store.get<{ skipped: string }>('SELECT skipped FROM csat_requests WHERE conversation_id = ?', [conv.id]);
    expect(req?.skipped).toBe('reply_window_closed');
  });
});
