import { describe, expect, it } from 'vitest';
import { ingest } from '../src/domain/ingest/ingest.js';
import { emailLikeRegistry } from './helpers/email-like.js';
import { fixture } from './helpers/fixture.js';
import { createInbox } from './helpers/inboxes.js';
import { startTestParley } from './helpers/parley.js';

// Cross-channel contacts: a web chat and a mail inbox (no platform behind it).
const p = fixture(() => startTestParley({ connectors: emailLikeRegistry() }));
const chat = fixture(() => createInbox(p.api, 'webchat', {}, { name: 'Website chat' }));
const mail = fixture(() => createInbox(p.api, 'email', {}, { name: 'Support mail' }));
let seq = 0;

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(p.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) as any };
};

async function say(inbox: { id: string; channel: string }, sender: { externalId: string; name?: string; email?: string; phone?: string; handle?: string }, text: string) {
  const r = await ingest(p.deps, inbox, [{ kind: 'message', externalId: `ext-${++seq}`, threadKey: sender.externalId, sender, text, attachments: [], sentAt: p.deps.clock.now() + seq }]);
  expect(r.inserted).toHaveLength(1);
  return r.inserted[0];
}

async function contactOf(conversationId: string): Promise<string> {
  const r = await p.api.get(`/api/v1/conversations/${conversationId}`);
  expect(r.status).toBe(200);
  return r.body.contact.id;
}

async function allMessageIds(token: string, conversationIds: string[]) {
  const ids: string[] = [];
  for (const c of conversationIds) {
    const r = await p.as(token).get(`/api/v1/conversations/${c}/messages?limit=100`);
    expect(r.status).toBe(200);
    ids.push(...r.body.data.map((m: any) => m.id));
  }
  return ids.sort();
}

describe('contacts', () => {
  it('merge moves identities, conversations and messages in one unit and loses nothing', async () => {
    const c1 = await say(chat, { externalId: 'visitor-wang', name: '王小明', email: 'wang@example.com' }, '我的银行卡无法绑定');
    await say(chat, { externalId: 'visitor-wang' }, '还是不行');
    const c2 = await say(mail, { externalId: 'wang@example.com', email: 'wang@example.com', handle: 'wang@example.com' }, 'Card binding fails, see screenshot');
    await say(mail, { externalId: 'wang@example.com' }, 'Any news?');
    // An agent reply and a private note belong to the thread too.
    expect((await p.api.post(`/api/v1/conversations/${c2.conversationId}/messages`, { content: 'Looking into it' })).status).toBe(201);
    expect((await p.api.post(`/api/v1/conversations/${c2.conversationId}/messages`, { content: 'note: bank BIN 6222', private: true })).status).toBe(201);

    const keep = await contactOf(c1.conversationId);
    const other = await contactOf(c2.conversationId);
    expect(keep).not.toBe(other);
    await call('PATCH', `/api/v1/contacts/${keep}`, p.adminToken, { attributes: { accountId: 'A-1001', tier: 'gold' } });
    await call('PATCH', `/api/v1/contacts/${other}`, p.adminToken, { phone: '+86 138 0000 0000', attributes: { tier: 'silver', lastTransactionId: 'T-77' } });

    const suggestions = await p.api.get(`/api/v1/contacts/${keep}/merge-suggestions`);
    expect(suggestions.status).toBe(200);
    expect(suggestions.body.data).toHaveLength(1);
    expect(suggestions.body.data[0]).toMatchObject({ id: other, reasons: ['email'] });

    const before = await allMessageIds(p.adminToken, [c1.conversationId, c2.conversationId]);
    expect(before).toHaveLength(6);

    const merged = await p.api.post(`/api/v1/contacts/${keep}/merge`, { otherContactId: other });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      id: keep, name: '王小明', email: 'wang@example.com', phone: '+86 138 0000 0000',
      // Survivor's values win; the other's missing keys are filled in.
      attributes: { accountId: 'A-1001', tier: 'gold', lastTransactionId: 'T-77' },
      merged: { contactId: other, identities: 1, conversations: 1 },
    });
    expect(merged.body.identities.map((i: any) => [i.channel, i.externalId]).sort()).toEqual([['email', 'wang@example.com'], ['webchat', 'visitor-wang']]);
    expect(merged.body.identities.find((i: any) => i.channel === 'email').handle).toBe('wang@example.com');
    expect(merged.body.conversations.map((c: any) => c.id).sort()).toEqual([c1.conversationId, c2.conversationId].sort());

    // Every message is still reachable, through the conversations and through the timeline.
    expect(await allMessageIds(p.adminToken, [c1.conversationId, c2.conversationId])).toEqual(before);
    const seen: string[] = [];
    const times: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await p.api.get(`/api/v1/contacts/${keep}/timeline?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((m: any) => m.id));
      times.push(...page.body.data.map((m: any) => m.createdAt));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect([...seen].sort()).toEqual(before);
    expect(times).toEqual([...times].sort().reverse());
    // Customer messages are now sent by the survivor.
    const senders = p.store.sqlite.prepare("SELECT DISTINCT sender_id FROM messages WHERE sender_type = 'contact' AND conversation_id IN (?, ?)").all(c1.conversationId, c2.conversationId) as { sender_id: string }[];
    expect(senders.map((s) => s.sender_id)).toEqual([keep]);
    expect(p.store.sqlite.prepare('SELECT merged_into FROM contacts WHERE id = ?').get(other)).toEqual({ merged_into: keep });

    // The merged-away id answers with the survivor; merging it again is refused.
    const old = await p.api.get(`/api/v1/contacts/${other}`);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ id: keep, redirectedFrom: other });
    expect((await p.api.post(`/api/v1/contacts/${keep}/merge`, { otherContactId: other })).status).toBe(409);
    expect((await p.api.post(`/api/v1/contacts/${keep}/merge`, { otherContactId: keep })).status).toBe(422);
    // The moved identity keeps feeding the survivor.
    const later = await say(mail, { externalId: 'wang@example.com' }, 'Hello again');
    expect(await contactOf(later.conversationId)).toBe(keep);
    // Merged-away contacts leave lists and suggestions.
    const list = await p.api.get('/api/v1/contacts?q=wang@example');
    expect(list.body.data.map((c: any) => c.id)).toEqual([keep]);
  });

  it('attributes merge on PATCH and null deletes a key; bad input is named', async () => {
    const m = await say(chat, { externalId: 'visitor-attr', name: 'Attr Person' }, 'hi');
    const id = await contactOf(m.conversationId);
    let r = await call('PATCH', `/api/v1/contacts/${id}`, p.adminToken, { attributes: { accountId: 'ACC-9', lastTransactionId: 'TX-1' } });
    expect(r.status).toBe(200);
    r = await call('PATCH', `/api/v1/contacts/${id}`, p.adminToken, { name: 'Attr P.', attributes: { lastTransactionId: null, plan: { name: 'pro' } } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, name: 'Attr P.', attributes: { accountId: 'ACC-9', plan: { name: 'pro' } } });
    expect(r.body.attributes).not.toHaveProperty('lastTransactionId');
    expect((await p.api.get(`/api/v1/contacts/${id}`)).body.attributes).toEqual({ accountId: 'ACC-9', plan: { name: 'pro' } });
    const bad = await call('PATCH', `/api/v1/contacts/${id}`, p.adminToken, { email: 'not an email' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/email/);
    expect((await call('PATCH', `/api/v1/contacts/${id}`, p.adminToken, {})).status).toBe(400);
  });

  it('suggests by phone and by handle across channels', async () => {
    const a = await say(chat, { externalId: 'visitor-phone', name: 'Phone A', phone: '+1 555 0100' }, 'x');
    const b = await say(mail, { externalId: 'phone-b@example.com', name: 'Phone B', phone: '+1 555 0100' }, 'y');
    const c = await say(mail, { externalId: 'handle-c@example.com', handle: '@shared_handle' }, 'z');
    const d = await say(chat, { externalId: 'visitor-handle', handle: '@shared_handle' }, 'w');
    const [ca, cb, cc, cd] = await Promise.all([a, b, c, d].map((m) => contactOf(m.conversationId)));
    const byPhone = await p.api.get(`/api/v1/contacts/${ca}/merge-suggestions`);
    expect(byPhone.body.data.map((s: any) => [s.id, s.reasons])).toEqual([[cb, ['phone']]]);
    const byHandle = await p.api.get(`/api/v1/contacts/${cd}/merge-suggestions`);
    expect(byHandle.body.data.map((s: any) => [s.id, s.reasons, s.matchedHandles])).toEqual([[cc, ['handle'], ['@shared_handle']]]);
  });

  it('agents see only contacts of their inboxes (404 otherwise), in lists too', async () => {
    const agent = await p.createUser('agent', 'Chat Agent');
    await p.api.post(`/api/v1/inboxes/${chat.id}/members`, { userIds: [agent.id] });
    const inChat = await contactOf((await say(chat, { externalId: 'visitor-scope', name: 'Scope Visible' }, 'hello')).conversationId);
    const inMail = await contactOf((await say(mail, { externalId: 'scope-hidden@example.com', name: 'Scope Hidden' }, 'hello')).conversationId);
    const a = p.as(agent.token);
    expect((await a.get(`/api/v1/contacts/${inChat}`)).status).toBe(200);
    expect((await a.get(`/api/v1/contacts/${inMail}`)).status).toBe(404);
    expect((await a.get(`/api/v1/contacts/${inMail}/timeline`)).status).toBe(404);
    expect((await call('PATCH', `/api/v1/contacts/${inMail}`, agent.token, { name: 'x' })).status).toBe(404);
    expect((await a.post(`/api/v1/contacts/${inChat}/merge`, { otherContactId: inMail })).status).toBe(404);
    const list = await a.get('/api/v1/contacts?q=Scope&limit=100');
    expect(list.body.data.map((c: any) => c.name)).toEqual(['Scope Visible']);
    const all = await p.api.get('/api/v1/contacts?q=Scope&limit=100');
    expect(all.body.data.map((c: any) => c.name).sort()).toEqual(['Scope Hidden', 'Scope Visible']);
  });

  it('lists page by keyset cursor, newest first', async () => {
    for (const n of [1, 2, 3]) await say(chat, { externalId: `visitor-pg-${n}`, name: `Pager Person ${n}` }, 'hi');
    const first = await p.api.get('/api/v1/contacts?q=Pager&limit=2');
    expect(first.body.data.map((c: any) => c.name)).toEqual(['Pager Person 3', 'Pager Person 2']);
    expect(first.body.data[0].identities).toEqual([{ channel: 'webchat', handle: null }]);
    const second = await p.api.get(`/api/v1/contacts?q=Pager&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((c: any) => c.name)).toEqual(['Pager Person 1']);
    expect(second.body.nextCursor).toBeNull();
    // Short queries fall back to LIKE.
    const short = await p.api.get(`/api/v1/contacts?q=${encodeURIComponent('Pe 3')}`);
    expect(short.body.data.map((c: any) => c.name)).toEqual(['Pager Person 3']);
  });
});
