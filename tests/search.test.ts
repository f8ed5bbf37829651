import { beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessageEvent } from '../connectors/types.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { PROBE } from '../src/domain/search/search.js';
import { emailLikeRegistry } from './helpers/email-like.js';
import { fixture } from './helpers/fixture.js';
import { createInbox } from './helpers/inboxes.js';
import { startTestParley } from './helpers/parley.js';
import { inboundMessage } from './helpers/inbound.js';

const p = fixture(() => startTestParley({ connectors: emailLikeRegistry() }));
const A = fixture(() => createInbox(p.api, 'webchat', {}, { name: 'Chat A' }));
const B = fixture(() => createInbox(p.api, 'email', {}, { name: 'Mail B' }));
let agentA: { id: string; token: string };
let seq = 0;
const convs: Record<string, string> = {};

const event = (sender: { externalId: string; name?: string }, text: string): InboundMessageEvent =>
  inboundMessage({ externalId: `s-${++seq}`, threadKey: sender.externalId, sender, text, sentAt: p.deps.clock.now() + seq });

async function say(inbox: { id: string; channel: string }, sender: { externalId: string; name?: string }, text: string) {
  const r = await ingest(p.deps, inbox, [event(sender, text)]);
  convs[sender.externalId] = r.inserted[0].conversationId;
  return r.inserted[0];
}

const q = (term: string, extra = '') => `/api/v1/search?q=${encodeURIComponent(term)}${extra}`;

beforeAll(async () => {
  const u = await p.createUser('agent', 'Agent A');
  agentA = { id: u.id, token: u.token };
  expect((await p.api.post(`/api/v1/inboxes/${A.id}/members`, { userIds: [u.id] })).status).toBe(200);

  await say(A, { externalId: 'wang', name: '王小明' }, '您好，我的卡无法绑定银行卡，怎么办？');
  await say(A, { externalId: 'amy', name: 'Amy Chen' }, 'My REFUND has not arrived yet');
  await say(A, { externalId: 'li', name: '李雷' }, '我想申请退款');
  await say(B, { externalId: 'zhao@example.com', name: '赵六' }, '我的银行卡被冻结了 (inbox B secret)');
  await say(B, { externalId: 'bob@example.com', name: 'Bob Stone' }, 'Refund for order 991 please');
  expect((await p.api.post(`/api/v1/conversations/${convs.wang}/messages`, { content: '内部备注：银行卡 BIN 需要核对', private: true })).status).toBe(201);
});

describe('search', () => {
  it('"银行卡" finds "无法绑定银行卡" with snippet, channel and contact; admins see every inbox', async () => {
    const r = await p.api.get(q('银行卡'));
    expect(r.status).toBe(200);
    const contents = r.body.messages.map((m: any) => m.content);
    expect(contents).toEqual(expect.arrayContaining(['您好，我的卡无法绑定银行卡，怎么办？', '我的银行卡被冻结了 (inbox B secret)', '内部备注：银行卡 BIN 需要核对']));
    expect(contents).toHaveLength(3);
    const hit = r.body.messages.find((m: any) => m.content.startsWith('您好'));
    expect(hit).toMatchObject({ conversationId: convs.wang, inboxId: A.id, direction: 'in', private: false, channel: 'webchat', contact: { name: '王小明' } });
    expect(hit.snippet).toContain('银行卡');
    expect(r.body.conversations.map((c: any) => c.id).sort()).toEqual([convs.wang, convs['zhao@example.com']].sort());
  });

  it('an agent of inbox A never gets inbox B\'s messages, conversations or contacts; private notes are included', async () => {
    const a = p.as(agentA.token);
    const zh = await a.get(q('银行卡'));
    expect(zh.status).toBe(200);
    expect(zh.body.messages.map((m: any) => m.content).sort()).toEqual(['内部备注：银行卡 BIN 需要核对', '您好，我的卡无法绑定银行卡，怎么办？'].sort());
    expect(zh.body.messages.every((m: any) => m.inboxId === A.id)).toBe(true);
    expect(zh.body.messages.find((m: any) => m.private)).toMatchObject({ direction: 'out', senderType: 'user' });
    expect(zh.body.conversations.map((c: any) => c.id)).toEqual([convs.wang]);
    expect(JSON.stringify(zh.body)).not.toContain('secret');

    const en = await a.get(q('refund'));
    expect(en.body.messages.map((m: any) => m.content)).toEqual(['My REFUND has not arrived yet']);
    const contact = await a.get(q('赵六'));
    expect(contact.body.contacts).toEqual([]);
    expect(contact.body.conversations).toEqual([]);
    const admin = await p.api.get(q('赵六'));
    expect(admin.body.contacts.map((c: any) => c.name)).toEqual(['赵六']);
    expect(admin.body.conversations.map((c: any) => c.id)).toEqual([convs['zhao@example.com']]);
  });

  it('English is case-insensitive, terms are AND-ed, short terms fall back to LIKE', async () => {
    const en = await p.api.get(q('Refund'));
    expect(en.body.messages.map((m: any) => m.content).sort()).toEqual(['My REFUND has not arrived yet', 'Refund for order 991 please']);
    const both = await p.api.get(q('refund order'));
    expect(both.body.messages.map((m: any) => m.content)).toEqual(['Refund for order 991 please']);
    const short = await p.api.get(q('退款'));
    expect(short.body.messages.map((m: any) => m.content)).toEqual(['我想申请退款']);
    const mixed = await p.api.get(q('refund my'));
    expect(mixed.body.messages.map((m: any) => m.content)).toEqual(['My REFUND has not arrived yet']);
    const shortName = await p.api.get(q('李雷'));
    expect(shortName.body.contacts.map((c: any) => c.name)).toEqual(['李雷']);
    expect(shortName.body.conversations.map((c: any) => c.id)).toEqual([convs.li]);
    const contacts = await p.api.get(q('Amy'));
    expect(contacts.body.contacts.map((c: any) => c.name)).toEqual(['Amy Chen']);
    expect((await p.api.get(q('   '))).status).toBe(400);
    expect((await p.api.get(q('zzzz-nothing'))).body).toEqual({ messages: [], conversations: [], contacts: [] });
  });

  it('ranks by bm25: the message about the term beats one mentioning it in passing', async () => {
    await say(A, { externalId: 'rank-1' }, 'hello, I wanted to ask about many different things today, including the quokkapay app and my address and my other account');
    await say(A, { externalId: 'rank-2' }, 'quokkapay quokkapay not working');
    const r = await p.api.get(q('quokkapay'));
    expect(r.body.messages.map((m: any) => m.conversationId)).toEqual([convs['rank-2'], convs['rank-1']]);
  });

  it(`a common term (over ${PROBE} matches) stays ranked and scoped`, async () => {
    const filler: InboundMessageEvent[] = [];
    for (let i = 0; i < PROBE + 100; i++) filler.push(event({ externalId: `bulk-${i % 50}@example.com` }, `order status commonterm number ${i} with some more words to make it longer`));
    await ingest(p.deps, B, filler);
    await say(A, { externalId: 'common-a1' }, 'commonterm in A, said in passing among a lot of other words that make this message quite long indeed');
    await say(A, { externalId: 'common-a2' }, 'commonterm commonterm');
    const admin = await p.api.get(q('commonterm', '&limit=5'));
    expect(admin.body.messages).toHaveLength(5);
    expect(admin.body.messages[0].conversationId).toBe(convs['common-a2']);
    const agent = await p.as(agentA.token).get(q('commonterm', '&limit=5'));
    expect(agent.body.messages.map((m: any) => m.conversationId)).toEqual([convs['common-a2'], convs['common-a1']]);
  });
});
