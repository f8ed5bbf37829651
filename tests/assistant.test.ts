// The AI assistant against a fake OpenAI-compatible provider (real HTTP): settings with the key
// sealed at rest, the four composer actions (grounded reply with sources, summary, translation,
// tone), masking before anything leaves, the admin's call log, provider failures that never
// block the conversation, and the after-hours bot's model answers and hand-offs (zh and en).
import { createSecretBox } from '../src/domain/core/secret-box.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { maskPersonalData } from '../src/domain/service/assistant/mask.js';
import { inventsNumbers } from '../src/domain/service/bot.js';
import { startFakeLlm, type FakeLlm } from '../src/runtime/sandbox/fake-llm.js';
import { send } from './helpers/workflow.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';
import { reactionsSettled } from '../src/domain/reactions.js';

process.env.PARLEY_ALLOW_PRIVATE_NETWORK = '1';
const WEEKDAYS = { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] };
const at = (s: string) => Date.parse(s);
const clock = manualClock(at('2026-10-14T10:00:00+08:00'));
let p: TestParley;
let llm: FakeLlm;
let agent: { id: string; token: string };
let site: { id: string; token: string };
const KEY = 'sk-test-0123456789abcdef';
const art: Record<string, string> = {};

async function visitorSays(content: string, token?: string) {
  const vt = token ?? (await apiClient(p.url).post(`/public/webchat/${site.token}/sessions`, { name: 'Visitor' })).body.visitorToken;
  const v = apiClient(p.url, vt);
  expect((await v.post(`/public/webchat/${site.token}/messages`, { content })).status).toBe(201);
  await reactionsSettled(p.deps);
  const mine = (await v.get(`/public/webchat/${site.token}/messages`)).body.data as any[];
  const conv = (await p.deps.store.get<{ conversation_id: string }>('SELECT conversation_id FROM messages WHERE id = ?', [mine[0].id]))!.conversation_id;
  return { token: vt as string, messages: mine, conv };
}
const settings = (body: unknown, token = p.adminToken) => send(p, token, 'PATCH', '/api/v1/assistant/settings', body);

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: KEY });
  p = await startTestParley({ clock });
  agent = await p.createUser('agent', 'Agent Zhou');
  const r = await p.api.post('/api/v1/inboxes', { name: 'Wallet', channel: 'webchat', config: {} });
  site = { id: r.body.id, token: r.body.webchatToken };
  await p.api.post(`/api/v1/inboxes/${site.id}/members`, { userIds: [agent.id] });
  expect((await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${site.id}`, { settings: { businessHours: { timezone: 'Asia/Shanghai', weekly: WEEKDAYS }, bot: { enabled: true } } })).status).toBe(200);
  for (const [k, a] of Object.entries({
    frozenZh: { title: '账户被冻结了怎么办', body: '系统检测到异常登录时会临时冻结账户。请在App中完成身份核验申请解冻，通常24小时内处理完成。', tags: ['冻结'], locale: 'zh-CN' },
    frozenEn: { title: 'My account is frozen', body: 'We temporarily freeze an account after an unusual sign-in. Complete the identity check in the app to request unfreezing; most requests are handled within 24 hours.', tags: ['frozen'], locale: 'en' },
    refundEn: { title: 'How long does a refund take?', body: 'Refunds to a bank card take 3-7 business days after the merchant approves them.', tags: ['refund'], locale: 'en' },
  })) { const c = await p.api.post('/api/v1/faq-articles', a); expect(c.status).toBe(201); art[k] = c.body.id; }
});
afterAll(async () => { await p?.stop(); await llm?.close(); });

describe('masking', () => {
  it('masks cards, phones, emails and ID numbers and leaves amounts alone', () => {
    const out = maskPersonalData('卡号 6222 0212 3456 7890 123，手机 13812345678，邮箱 li.wei@example.com，身份证 11010519491231002X，金额 500 元 on 3 days');
    expect(out).toBe('卡号 [CARD]，手机 [PHONE]，邮箱 [EMAIL]，身份证 [ID]，金额 500 元 on 3 days');
    expect(maskPersonalData('call +1 415-555-0134 or 4111-1111-1111-1111')).toBe('call [PHONE] or [CARD]');
  });
  it('masks every occurrence in a long text and leaves near-misses alone', () => {
    const text = Array.from({ length: 200 }, (_, i) => `order ${i} card 6222021234567890${String(i % 10)} mail u${i}@shop.cn`).join('; ');
    const out = maskPersonalData(text);
    expect(out.match(/\[CARD\]/g)).toHaveLength(200);
    expect(out.match(/\[EMAIL\]/g)).toHaveLength(200);
    expect(out).toContain('order 199 card');
    expect(maskPersonalData('ref 123456, 12 digits 123456789012')).toBe('ref 123456, 12 digits [PHONE]');
  });
});

describe('assistant settings', () => {
  it('is off by default; an admin configures it, the key is sealed at rest and never returned', async () => {
    expect((await p.as(agent.token).get('/api/v1/assistant/settings')).status).toBe(403);
    expect((await p.api.get('/api/v1/assistant/settings')).body).toMatchObject({ enabled: false, hasApiKey: false });
    const { conv } = await visitorSays('hello');
    const off = await p.as(agent.token).post(`/api/v1/conversations/${conv}/assistant/summary`);
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe('assistant_disabled');

    expect((await settings({ enabled: true })).status).toBe(400);
    expect((await settings({ timeoutMs: 'soon' })).status).toBe(400);
    expect((await settings({ apiKey: '' })).status).toBe(400);
    expect((await settings({ enabled: true, baseUrl: 'ftp://x', model: 'm' })).body.error.details).toMatchObject({ field: 'baseUrl' });
    const ok = await settings({ enabled: true, baseUrl: llm.baseUrl, model: 'fake-chat', apiKey: KEY });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ enabled: true, baseUrl: llm.baseUrl, model: 'fake-chat', hasApiKey: true, timeoutMs: 15000, afterHours: false });
    const stored = await p.deps.store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'assistant.model'");
    expect(stored!.value).not.toContain(KEY);
    expect(JSON.stringify((await p.api.get('/api/v1/assistant/settings')).body)).not.toContain(KEY);
  });

  it('refuses a private base URL unless the deployment allows it', async () => {
    p.deps.allowPrivateNetwork = false;
    try {
      const r = await settings({ baseUrl: 'http://192.168.1.5:11434/v1' });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain('private');
    } finally { p.deps.allowPrivateNetwork = true; }
  });
});

describe('composer actions', () => {
  it('suggests a reply grounded in FAQ articles and a similar resolved conversation, with sources, masked before sending', async () => {
    const old = await visitorSays('My wallet is frozen after I logged in from a new phone');
    await p.as(agent.token).post(`/api/v1/conversations/${old.conv}/messages`, { content: 'Please complete the identity check in the app, it unfreezes within a day.' });
    await p.api.post(`/api/v1/conversations/${old.conv}/status`, { status: 'resolved' });
    await reactionsSettled(p.deps);

    const now = await visitorSays('my account is frozen, card 4111 1111 1111 1111, email me at sam@example.com');
    const r = await p.as(agent.token).post(`/api/v1/conversations/${now.conv}/assistant/reply`);
    expect(r.status).toBe(200);
    expect(r.body.text).toContain('My account is frozen');
    expect(r.body.sources[0]).toMatchObject({ n: 1, type: 'faq', id: art.frozenEn, link: `/api/v1/faq-articles/${art.frozenEn}` });
    expect(r.body.sources.some((s: any) => s.type === 'conversation' && s.id === old.conv && s.link === `#/inbox/${old.conv}`)).toBe(true);
    const sent = llm.requests.at(-1)!;
    expect(sent.auth).toBe(`Bearer ${KEY}`);
    const userText = sent.messages.find((m) => m.role === 'user')!.content;
    expect(userText).toContain('[CARD]');
    expect(userText).toContain('[EMAIL]');
    expect(userText).not.toContain('4111');
    expect(userText).toContain('identity check in the app, it unfreezes');
    // Nothing was sent to the customer.
    expect((await apiClient(p.url, now.token).get(`/public/webchat/${site.token}/messages`)).body.data).toHaveLength(1);
  });

  it('lists similar resolved conversations in the suggestions, only from inboxes the agent sees', async () => {
    const other = await p.api.post('/api/v1/inboxes', { name: 'Other brand', channel: 'webchat', config: {} });
    const s = await apiClient(p.url).post(`/public/webchat/${other.body.webchatToken}/sessions`, { name: 'Elsewhere' });
    await apiClient(p.url, s.body.visitorToken).post(`/public/webchat/${other.body.webchatToken}/messages`, { content: 'my wallet is frozen since this morning' });
    const hidden = (await p.api.get(`/api/v1/conversations?inboxId=${other.body.id}`)).body.data[0].id;
    await p.api.post(`/api/v1/conversations/${hidden}/messages`, { content: 'Unfrozen now.' });
    await p.api.post(`/api/v1/conversations/${hidden}/status`, { status: 'resolved' });
    await reactionsSettled(p.deps);

    const now = await visitorSays('wallet frozen again?');
    const mine = await p.as(agent.token).get(`/api/v1/conversations/${now.conv}/suggestions`);
    expect(mine.status).toBe(200);
    const ids = mine.body.similarConversations.map((c: any) => c.conversationId);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(hidden);
    expect(mine.body.similarConversations[0].answer).toContain('identity check');
    const admin = await p.api.get(`/api/v1/conversations/${now.conv}/suggestions`);
    expect(admin.body.similarConversations.map((c: any) => c.conversationId)).toContain(hidden);
  });

  it('summarizes, translates a message and a draft, and fixes the tone of a draft', async () => {
    const c = await visitorSays('我的钱包被冻结了，怎么解冻？');
    const msgId = c.messages[0].id;
    const A = p.as(agent.token);
    const sum = await A.post(`/api/v1/conversations/${c.conv}/assistant/summary`);
    expect(sum.body.text).toContain('Summary: Customer: 我的钱包被冻结了');
    const tr = await A.post(`/api/v1/conversations/${c.conv}/assistant/translate`, { messageId: msgId });
    expect(tr.body.text).toBe('(English) 我的钱包被冻结了，怎么解冻？');
    const draft = await A.post(`/api/v1/conversations/${c.conv}/assistant/translate`, { text: 'Please verify your identity in the app.' });
    expect(draft.body.text).toBe('(Simplified Chinese) Please verify your identity in the app.');
    const tone = await A.post(`/api/v1/conversations/${c.conv}/assistant/tone`, { draft: 'do the id check.' });
    expect(tone.body.text).toBe('Thank you for your patience. do the id check.');
    expect((await A.post(`/api/v1/conversations/${c.conv}/assistant/tone`, { draft: '' })).status).toBe(400);
    const neither = await A.post(`/api/v1/conversations/${c.conv}/assistant/translate`, {});
    expect(neither.status).toBe(400);
    expect(neither.body.error.code).toBe('invalid_request');
    expect((await A.post(`/api/v1/conversations/${c.conv}/assistant/translate`, { messageId: 'nope' })).status).toBe(404);
    const broken = await A.raw(`/api/v1/conversations/${c.conv}/assistant/tone`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: '{"draft":' });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBeTruthy();
    const outsider = await p.createUser('agent', 'Outsider');
    expect((await p.as(outsider.token).post(`/api/v1/conversations/${c.conv}/assistant/summary`)).status).toBe(404);
  });

  it('logs every call for the admin: what was sent, tokens, latency', async () => {
    expect((await p.as(agent.token).get('/api/v1/assistant/calls')).status).toBe(403);
    const log = await p.api.get('/api/v1/assistant/calls?limit=100');
    expect(log.status).toBe(200);
    const reply = log.body.data.find((c: any) => c.action === 'reply');
    expect(reply).toMatchObject({ status: 'ok', model: 'fake-chat' });
    expect(reply.promptTokens).toBeGreaterThan(0);
    expect(reply.completionTokens).toBeGreaterThan(0);
    expect(reply.latencyMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(reply.request)).toContain('[CARD]');
    expect(JSON.stringify(log.body)).not.toContain('4111 1111');
  });

  it('a provider that rate-limits, fails or is slow returns an error fast and never blocks the conversation', async () => {
    const c = await visitorSays('my account is frozen');
    const A = p.as(agent.token);
    await settings({ model: 'fail-429' });
    expect((await A.post(`/api/v1/conversations/${c.conv}/assistant/summary`)).body.error.code).toBe('model_rate_limited');
    await settings({ model: 'fail-500' });
    const e500 = await A.post(`/api/v1/conversations/${c.conv}/assistant/summary`);
    expect(e500.status).toBe(502);
    await settings({ model: 'slow', timeoutMs: 1000 });
    const t = Date.now();
    const slow = await A.post(`/api/v1/conversations/${c.conv}/assistant/summary`);
    expect(slow.body.error.code).toBe('model_timeout');
    expect(Date.now() - t).toBeLessThan(4000);
    expect((await A.post(`/api/v1/conversations/${c.conv}/messages`, { content: 'Looking into it.' })).status).toBe(201);
    const statuses = (await p.api.get('/api/v1/assistant/calls?limit=3')).body.data.map((x: any) => x.status);
    expect(statuses).toEqual(['timeout', 'error', 'rate_limited']);
    await settings({ model: 'fake-chat', timeoutMs: 15000 });
  });

  it('a key sealed under another key ring is not used, and the call fails visibly', async () => {
    const c = await visitorSays('my account is frozen');
    const secrets = p.deps.secrets;
    // The store's key is gone (another PARLEY_SECRET_KEY): the sealed model key cannot open.
    p.deps.secrets = await createSecretBox([crypto.getRandomValues(new Uint8Array(32))]);
    try {
      const r = await p.as(agent.token).post(`/api/v1/conversations/${c.conv}/assistant/summary`);
      expect(r.status).toBe(502);
      expect(r.body.error.message).toContain('401');
      expect(llm.requests.at(-1)!.auth).toBeNull();
    } finally { p.deps.secrets = secrets; }
  });
});

describe('after-hours bot with the model', () => {
  it('answers from the FAQ article, cites it, in Chinese and English', async () => {
    await settings({ afterHours: true });
    clock.set(at('2026-10-14T23:00:00+08:00'));
    const zh = await visitorSays('我的账户被冻结了怎么办');
    const zhAnswer = zh.messages[1].content as string;
    expect(zhAnswer).toContain('根据《账户被冻结了怎么办》');
    expect(zhAnswer).toContain('参考文章：账户被冻结了怎么办');
    expect(zhAnswer).toContain('客服人员');
    const meta = JSON.parse((await p.deps.store.get<{ meta: string }>('SELECT meta FROM messages WHERE id = ?', [zh.messages[1].id]))!.meta);
    expect(meta).toMatchObject({ bot: 'ai', articleId: art.frozenZh });
    // Grounded only in the article: the prompt held it and told the model not to invent account facts.
    const sent = llm.requests.at(-1)!;
    expect(sent.messages[0]!.content).toContain('Never invent');
    expect(sent.messages[1]!.content).toContain('[1] 账户被冻结了怎么办');

    const en = await visitorSays('help, my account got frozen');
    expect(en.messages[1].content).toContain('According to "My account is frozen"');
    expect(en.messages[1].content).toContain('Source: My account is frozen');
  });

  it('hands off without the model when the customer asks for a person, is angry, or nothing matches', async () => {
    clock.set(at('2026-10-15T01:00:00+08:00'));
    const before = llm.requests.length;
    for (const [q, want] of [['我要转人工，账户被冻结了', 'asks_for_person'], ['This is a SCAM, my account is frozen!!!', 'angry'], ['Do you sell gift cards in Norway?', undefined]] as const) {
      const r = await visitorSays(q);
      expect(r.messages).toHaveLength(2);
      const meta = JSON.parse((await p.deps.store.get<{ meta: string }>('SELECT meta FROM messages WHERE id = ?', [r.messages[1].id]))!.meta);
      expect(meta.bot).toBe('away');
      if (want) expect(meta.handoff).toBe(want);
    }
    expect(llm.requests.length).toBe(before);
    const zh = await visitorSays('我想找真人客服');
    expect(zh.messages[1].content).toContain('客服人员上班后');
  });

  it('never sends an answer with figures the article does not have (an invented balance or refund)', async () => {
    clock.set(at('2026-10-15T03:00:00+08:00'));
    await settings({ model: 'invent' });
    for (const q of ['我的账户被冻结了怎么办', 'my account is frozen, help']) {
      const r = await visitorSays(q);
      expect(r.messages[1].content).not.toMatch(/1,280|300\.00/);
      expect(r.messages[1].content).toMatch(/App中完成身份核验|identity check in the app/);
      const meta = JSON.parse((await p.deps.store.get<{ meta: string }>('SELECT meta FROM messages WHERE id = ?', [r.messages[1].id]))!.meta);
      expect(meta.bot).toBe('faq');
    }
    expect(inventsNumbers('处理需要24小时 [1]', '通常24小时内处理完成')).toBe(false);
    expect(inventsNumbers('余额 1,280.50 元 [1]', '通常24小时内处理完成')).toBe(true);
    await settings({ model: 'fake-chat' });
  });

  it('falls back to the article itself when the model fails', async () => {
    clock.set(at('2026-10-15T02:00:00+08:00'));
    await settings({ model: 'fail-500' });
    const r = await visitorSays('my account is frozen, what now');
    expect(r.messages[1].content).toContain('We temporarily freeze an account');
    await settings({ model: 'fake-chat', afterHours: false });
  });
});
