// FAQ articles, agent suggestions, and the after-hours bot (Chinese and English).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { searchTerms } from '../src/domain/service/faq.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';
import { reactionsSettled } from '../src/domain/reactions.js';

const WEEKDAYS = { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] };
const at = (s: string) => Date.parse(s);
const clock = manualClock(at('2026-10-14T10:00:00+08:00'));
let p: TestParley;
let lead: { id: string; token: string };
let agent: { id: string; token: string };
let site: { id: string; token: string };
const articles: Record<string, string> = {};

const patch = (path: string, body: unknown, token = p.adminToken) => p.as(token).patch(path, body);

beforeAll(async () => {
  p = await startTestParley({ clock });
  lead = await p.createUser('lead', 'Lead Wang');
  agent = await p.createUser('agent', 'Agent Li');
  const r = await p.api.post('/api/v1/inboxes', { name: 'Shop', channel: 'webchat', config: {} });
  site = { id: r.body.id, token: r.body.webchatToken };
  await p.api.post(`/api/v1/inboxes/${site.id}/members`, { userIds: [agent.id] });
  expect((await patch(`/api/v1/inboxes/${site.id}`, { settings: {
    businessHours: { timezone: 'Asia/Shanghai', weekly: WEEKDAYS },
    bot: { enabled: true, awayMessage: 'We are closed right now (Mon-Fri 9:00-18:00 Beijing time).' },
  } })).status).toBe(200);
  const L = p.as(lead.token);
  for (const [key, a] of Object.entries({
    bank: { title: '银行卡绑定失败怎么办', body: '如果银行卡无法绑定，请确认银行预留手机号与账户一致，并检查卡片是否已开通快捷支付。', tags: ['银行卡', '绑定'], locale: 'zh-CN' },
    refund: { title: '退款多久到账', body: '退款一般在 1-3 个工作日内原路退回。', tags: ['退款'], locale: 'zh-CN' },
    password: { title: 'How to reset your password', body: 'Open Settings > Security and choose "Reset password". We email you a link.', tags: ['account', 'password'], locale: 'en' },
  })) {
    const c = await L.post('/api/v1/faq-articles', a);
    expect(c.status).toBe(201);
    articles[key] = c.body.id;
  }
});
afterAll(() => p.stop());

const conversationOfMessage = async (messageId: string) =>
  (await p.deps.store.get<{ conversation_id: string }>('SELECT conversation_id FROM messages WHERE id = ?', [messageId]))!.conversation_id;

async function visitorSays(content: string, token?: string) {
  const vt = token ?? (await apiClient(p.url).post(`/public/webchat/${site.token}/sessions`, { name: 'Visitor' })).body.visitorToken;
  const v = apiClient(p.url, vt);
  expect((await v.post(`/public/webchat/${site.token}/messages`, { content })).status).toBe(201);
  await reactionsSettled(p.deps);
  const mine = await v.get(`/public/webchat/${site.token}/messages`);
  return { token: vt as string, messages: mine.body.data as any[] };
}

describe('FAQ articles', () => {
  it('leads and admins write, agents read; search works in Chinese and English', async () => {
    const A = p.as(agent.token);
    expect((await A.post('/api/v1/faq-articles', { title: 'x', body: 'y', locale: 'en' })).status).toBe(403);
    expect((await p.api.post('/api/v1/faq-articles', { title: 'x', body: 'y', locale: 'fr' })).status).toBe(400);
    const list = await A.get('/api/v1/faq-articles?limit=2');
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.nextCursor).toBeTruthy();
    const rest = await A.get(`/api/v1/faq-articles?limit=2&cursor=${list.body.nextCursor}`);
    expect([...list.body.data, ...rest.body.data].map((a: any) => a.id).sort()).toEqual(Object.values(articles).sort());

    const zh = await A.get(`/api/v1/faq-articles?q=${encodeURIComponent('银行卡')}`);
    expect(zh.body.data.map((a: any) => a.id)).toEqual([articles.bank]);
    const en = await A.get(`/api/v1/faq-articles?q=${encodeURIComponent('forgot password')}`);
    expect(en.body.data[0].id).toBe(articles.password);
    const short = await A.get(`/api/v1/faq-articles?q=${encodeURIComponent('退款')}`); // 2 characters: substring match
    expect(short.body.data.map((a: any) => a.id)).toEqual([articles.refund]);

    const created = await p.as(lead.token).post('/api/v1/faq-articles', { title: 'Temp', body: 'Temporary article about parcels', locale: 'en', tags: ['tmp'] });
    const changed = await patch(`/api/v1/faq-articles/${created.body.id}`, { title: 'Shipping times', tags: ['shipping'] }, lead.token);
    expect(changed.body).toMatchObject({ title: 'Shipping times', tags: ['shipping'], body: 'Temporary article about parcels' });
    expect((await A.get(`/api/v1/faq-articles?q=shipping`)).body.data.map((a: any) => a.id)).toEqual([created.body.id]);
    expect((await p.as(agent.token).delete(`/api/v1/faq-articles/${created.body.id}`)).status).toBe(403);
    expect((await p.as(lead.token).delete(`/api/v1/faq-articles/${created.body.id}`)).status).toBe(204);
    expect((await A.get(`/api/v1/faq-articles?q=shipping`)).body.data).toEqual([]);
    expect((await A.get(`/api/v1/faq-articles/${created.body.id}`)).status).toBe(404);
  });

  it('cuts Chinese into 3-character windows and drops filler', () => {
    expect(searchTerms('我的银行卡无法绑定')).toEqual(['的银行', '银行卡', '行卡无', '卡无法', '无法绑', '法绑定']);
    expect(searchTerms('How can I reset my password?')).toEqual(['reset', 'password']);
  });
});

describe('suggestions for agents', () => {
  it('ranks the matching FAQ article and canned replies for the customer\'s latest messages', async () => {
    clock.set(at('2026-10-14T10:00:00+08:00'));
    const canned = await p.as(lead.token).post('/api/v1/canned-responses', { shortCode: 'bank', content: '您好 {{contact.name}}，银行卡无法绑定时请先核对预留手机号。' });
    expect(canned.status).toBe(201);
    const asked = await visitorSays('你好，我的银行卡无法绑定，一直提示失败');
    const conv = { id: await conversationOfMessage(asked.messages[0].id) };
    const s = await p.as(agent.token).get(`/api/v1/conversations/${conv.id}/suggestions`);
    expect(s.status).toBe(200);
    expect(s.body.articles[0]).toMatchObject({ id: articles.bank, title: '银行卡绑定失败怎么办', locale: 'zh-CN' });
    expect(s.body.articles.map((a: any) => a.id)).not.toContain(articles.password);
    expect(s.body.cannedResponses.map((c: any) => c.shortCode)).toEqual(['bank']);

    const outsider = await p.createUser('agent', 'Not a member');
    expect((await p.as(outsider.token).get(`/api/v1/conversations/${conv.id}/suggestions`)).status).toBe(404);
  });
});

describe('after-hours FAQ bot', () => {
  it('answers a Chinese question at night with the matching article and hands off to a human', async () => {
    clock.set(at('2026-10-14T23:00:00+08:00')); // Wednesday night
    const first = await visitorSays('我的银行卡无法绑定');
    expect(first.messages.map((m) => [m.direction, m.sender.type])).toEqual([['in', 'contact'], ['out', 'bot']]);
    const answer = first.messages[1].content as string;
    expect(answer).toContain('银行卡绑定失败怎么办');
    expect(answer).toContain('预留手机号');
    expect(answer).toContain('客服人员');
    const convId = await conversationOfMessage(first.messages[0].id);
    const stored = await p.deps.store.get<{ meta: string }>('SELECT meta FROM messages WHERE id = ?', [first.messages[1].id]);
    const meta = JSON.parse(stored!.meta);
    expect(meta).toMatchObject({ bot: 'faq', articleId: articles.bank });
    expect(meta.confidence).toBeGreaterThanOrEqual(0.5);
    // Still the agents' conversation: open, unassigned, waiting for a human.
    const conv = (await p.api.get(`/api/v1/conversations/${convId}`)).body;
    expect(conv).toMatchObject({ status: 'open', assigneeId: null });
    expect(conv.waitingSince).not.toBeNull();

    // The same night, more messages: the bot does not repeat itself.
    clock.advance(10 * 60_000);
    const more = await visitorSays('还是不行', first.token);
    expect(more.messages.filter((m) => m.sender.type === 'bot')).toHaveLength(1);

    // The next night (over 12 h later) it answers again, once.
    clock.set(at('2026-10-15T21:00:00+08:00'));
    const later = await visitorSays('退款多久能到账？', first.token);
    const bots = later.messages.filter((m) => m.sender.type === 'bot');
    expect(bots).toHaveLength(2);
    expect(bots[1].content).toContain('退款多久到账');
  });

  it('answers with the away message when no article matches', async () => {
    clock.set(at('2026-10-17T11:00:00+08:00')); // Saturday
    const r = await visitorSays('Do you ship to Norway?');
    expect(r.messages).toHaveLength(2);
    expect(r.messages[1].content).toContain('We are closed right now (Mon-Fri 9:00-18:00 Beijing time).');
    expect(r.messages[1].content).toContain('A member of our team will follow up');
    const stored = await p.deps.store.get<{ meta: string }>('SELECT meta FROM messages WHERE id = ?', [r.messages[1].id]);
    expect(JSON.parse(stored!.meta)).toMatchObject({ bot: 'away' });
  });

  it('hands off in traditional Chinese when the best article is a weak match', async () => {
    clock.set(at('2026-10-17T12:00:00+08:00')); // Saturday
    // Shares 銀行/退 with articles, but no article answers it: below the confidence threshold.
    const r = await visitorSays('你們銀行的營業地址在哪裡？');
    expect(r.messages).toHaveLength(2);
    expect(r.messages[1].content).toContain('我們的客服人員上班後會盡快在這裡回覆您');
    const stored = await p.deps.store.get<{ meta: string }>('SELECT meta FROM messages WHERE id = ?', [r.messages[1].id]);
    const meta = JSON.parse(stored!.meta);
    expect(meta.bot).toBe('away');
    expect(meta.confidence ?? 0).toBeLessThan(0.5);
  });

  it('answers a traditional Chinese question with the simplified article', async () => {
    clock.set(at('2026-10-17T13:00:00+08:00'));
    const r = await visitorSays('銀行卡綁定不了，一直失敗');
    expect(r.messages[1].content).toContain('银行卡绑定失败怎么办');
    expect(r.messages[1].content).toContain('我們的客服人員');
  });

  it('stays silent during business hours', async () => {
    clock.set(at('2026-10-14T10:30:00+08:00')); // Wednesday morning
    const r = await visitorSays('我的银行卡无法绑定');
    expect(r.messages.map((m) => m.sender.type)).toEqual(['contact']);
  });

  it('stays silent at night when an agent is talking with the customer', async () => {
    clock.set(at('2026-10-14T17:55:00+08:00'));
    const r = await visitorSays('How do I reset my password?');
    expect(r.messages).toHaveLength(1);
    await p.api.post(`/api/v1/conversations/${await conversationOfMessage(r.messages[0].id)}/messages`, { content: 'Let me check.' });
    clock.set(at('2026-10-14T18:30:00+08:00'));
    const again = await visitorSays('Any news?', r.token);
    expect(again.messages.map((m) => m.sender.type)).toEqual(['contact', 'user', 'contact']);
  });
});
