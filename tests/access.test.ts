// Scoping of people and identities, and ending access: tokens (list, expiry, revoke), roles,
// disabling a user, sessions, password changes, and the audit log that records each act.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { twoTeams } from './helpers/inboxes.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { inboundMessage } from './helpers/inbound.js';

const clock = manualClock(Date.parse('2026-03-01T09:00:00Z'));
let p: TestParley;
let inboxA: string, inboxB: string, convA: string, contactId: string;
let agentA: { id: string; token: string; email: string }, agentB: { id: string; token: string; email: string }, lead: { id: string; token: string; email: string };

const send = (method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) => fetch(p.url + path, {
  method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
  body: body ? JSON.stringify(body) : undefined,
}).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) as any, headers: r.headers }));

async function login(email: string, password: string, ua = 'test-browser') {
  const r = await fetch(`${p.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': ua }, body: JSON.stringify({ email, password }) });
  const body = await r.json() as any;
  return { status: r.status, body, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: body.csrfToken as string };
}
const withCookie = (s: { cookie: string; csrf: string }) => ({ cookie: s.cookie, 'x-parley-csrf': s.csrf });

beforeAll(async () => {
  p = await startTestParley({ clock });
  ({ inboxA, inboxB, agentA, agentB, lead } = await twoTeams(p));
  const ev = (inbox: string, ext: string, handle: string) => ingest(p.deps, { id: inbox, channel: 'webchat' }, [inboundMessage({ externalId: `${ext}-m`, threadKey: ext,
    sentAt: clock.now(), sender: { externalId: ext, handle, name: 'Same Person' } })]);
  await ev(inboxA, 'visitor-a', '@alice_public');
  await ev(inboxB, 'visitor-b', '@alice_secret');
  convA = (await p.store.get<any>('SELECT id, contact_id FROM conversations WHERE inbox_id = ?', [inboxA])).id;
  contactId = (await p.store.get<any>('SELECT contact_id FROM conversations WHERE id = ?', [convA])).contact_id;
  const otherContact = (await p.store.get<any>('SELECT contact_id FROM conversations WHERE inbox_id = ?', [inboxB])).contact_id;
  expect((await p.api.post(`/api/v1/contacts/${contactId}/merge`, { otherContactId: otherContact })).status).toBe(200);
});
afterAll(() => p.stop());

describe('scope of people and identities', () => {
  it('an agent sees only identities (and conversations) of his inboxes on a shared contact', async () => {
    const asA = await p.as(agentA.token).get(`/api/v1/contacts/${contactId}`);
    expect(asA.status).toBe(200);
    expect(asA.body.identities.map((i: any) => i.handle)).toEqual(['@alice_public']);
    expect(asA.body.conversations.map((c: any) => c.inboxId)).toEqual([inboxA]);
    const list = await p.as(agentA.token).get('/api/v1/contacts');
    expect(list.body.data.find((c: any) => c.id === contactId).identities.map((i: any) => i.handle)).toEqual(['@alice_public']);
    const asAdmin = await p.api.get(`/api/v1/contacts/${contactId}`);
    expect(asAdmin.body.identities.map((i: any) => i.handle).sort()).toEqual(['@alice_public', '@alice_secret']);
  });

  it('merge suggestions never show identities of inboxes the agent cannot see', async () => {
    await ingest(p.deps, { id: inboxA, channel: 'webchat' }, [inboundMessage({ externalId: 'v-c-m', threadKey: 'visitor-c', text: 'hi',
      sentAt: clock.now(), sender: { externalId: 'visitor-c', handle: '@alice_public' } })]);
    const other = (await p.store.get<any>("SELECT contact_id FROM contact_identities WHERE external_id = 'visitor-c'")).contact_id;
    const s = await p.as(agentA.token).get(`/api/v1/contacts/${other}/merge-suggestions`);
    expect(s.status).toBe(200);
    expect(s.body.data.map((x: any) => x.id)).toEqual([contactId]);
    expect(s.body.data[0].identities.map((i: any) => i.handle)).toEqual(['@alice_public']);
    expect(JSON.stringify(s.body)).not.toContain('alice_secret');
  });

  it('GET /users gives an agent teammates\' names, not the directory of emails and roles', async () => {
    const asAgent = await p.as(agentA.token).get('/api/v1/users');
    expect(asAgent.status).toBe(200);
    const text = JSON.stringify(asAgent.body);
    for (const u of [agentA, agentB, lead]) expect(text).not.toContain(u.email);
    expect(text).not.toContain('admin@test.local');
    expect(asAgent.body.data.every((u: any) => Object.keys(u).sort().join() === 'availability,id,name')).toBe(true);
    const ids = asAgent.body.data.map((u: any) => u.id);
    expect(ids).toContain(lead.id);
    expect(ids).toContain(agentA.id);
    expect(ids).not.toContain(agentB.id); // shares no inbox with agent A
    const asLead = await p.as(lead.token).get('/api/v1/users');
    expect(asLead.body.data.find((u: any) => u.id === agentB.id)).toMatchObject({ email: agentB.email, role: 'agent' });
  });
});

describe('API tokens', () => {
  it('are listed without their values, expire, and stop at once when revoked', async () => {
    const u = await p.createUser('agent', 'Token user');
    const mine = await p.as(u.token).post(`/api/v1/users/${u.id}/tokens`, { name: 'ci', expiresInDays: 1 });
    expect(mine.status).toBe(201);
    expect(mine.body.expiresAt).toBe(new Date(clock.now() + 86_400_000).toISOString());
    expect((await p.as(mine.body.token).get('/api/v1/me')).status).toBe(200);
    const list = await p.as(u.token).get(`/api/v1/users/${u.id}/tokens`);
    expect(list.body.data.map((t: any) => t.name).sort()).toEqual(['ci', 'default']);
    expect(JSON.stringify(list.body)).not.toContain(mine.body.token);
    expect((await p.as(agentA.token).get(`/api/v1/users/${u.id}/tokens`)).status).toBe(403);

    clock.advance(86_400_000 + 1000);
    expect((await p.as(mine.body.token).get('/api/v1/me')).status).toBe(401);
    expect((await p.as(u.token).get(`/api/v1/users/${u.id}/tokens`)).body.data.find((t: any) => t.name === 'ci').expired).toBe(true);

    const dflt = list.body.data.find((t: any) => t.name === 'default');
    const other = await p.api.post(`/api/v1/users/${u.id}/tokens`, { name: 'second' });
    expect((await p.as(other.body.token).get('/api/v1/me')).status).toBe(200); // now cached
    expect((await send('DELETE', `/api/v1/users/${u.id}/tokens/${other.body.id}`, p.adminToken)).status).toBe(200);
    expect((await p.as(other.body.token).get('/api/v1/me')).status).toBe(401);
    expect((await send('DELETE', `/api/v1/users/${u.id}/tokens/${dflt.id}`, u.token)).status).toBe(200);
    expect((await p.as(u.token).get('/api/v1/me')).status).toBe(401);
    const log = await p.api.get(`/api/v1/audit-log?action=token.*&actorId=${encodeURIComponent((await p.api.get('/api/v1/me')).body.id)}`);
    expect(log.body.data.map((e: any) => e.action)).toEqual(['token.revoked', 'token.created']);
  });
});

describe('roles and disabling', () => {
  it('an admin changes a role (audited); a lead cannot; the last admin cannot be demoted', async () => {
    const u = await p.createUser('agent', 'Promoted');
    expect((await send('PATCH', `/api/v1/users/${u.id}`, lead.token, { role: 'admin' })).status).toBe(403);
    const r = await send('PATCH', `/api/v1/users/${u.id}`, p.adminToken, { role: 'lead' });
    expect(r.status).toBe(200);
    expect(r.body.role).toBe('lead');
    expect((await p.as(u.token).get(`/api/v1/conversations/${convA}`)).status).toBe(200); // a lead sees every inbox at once
    const adminId = (await p.api.get('/api/v1/me')).body.id;
    const last = await send('PATCH', `/api/v1/users/${adminId}`, p.adminToken, { role: 'agent' });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('last_admin');
    const log = await p.api.get(`/api/v1/audit-log?action=user.role_changed`);
    expect(log.body.data[0]).toMatchObject({ targetId: u.id, details: { from: 'agent', to: 'lead' } });
  });

  it('disabling a user stops his tokens and sessions at once and releases his assignments', async () => {
    const u = await p.createUser('agent', 'Leaver');
    await p.api.post(`/api/v1/inboxes/${inboxA}/members`, { userIds: [u.id] });
    await p.api.post(`/api/v1/users/${u.id}/availability`, { availability: 'online' });
    const s = await login((await p.api.get('/api/v1/users')).body.data.find((x: any) => x.id === u.id).email, 'password123');
    expect(s.status).toBe(200);
    expect((await p.as(u.token).post(`/api/v1/conversations/${convA}/assign`, { assigneeId: u.id })).status).toBe(200);
    expect((await send('GET', '/api/v1/me', null, undefined, withCookie(s))).status).toBe(200);

    expect((await p.as(lead.token).post(`/api/v1/users/${u.id}/disable`)).status).toBe(403);
    const d = await p.api.post(`/api/v1/users/${u.id}/disable`);
    expect(d.status).toBe(200);
    expect(d.body.disabledAt).not.toBeNull();
    expect(d.body.releasedConversations).toEqual([convA]);
    expect((await p.as(u.token).get('/api/v1/me')).status).toBe(401);
    expect((await send('GET', '/api/v1/me', null, undefined, withCookie(s))).status).toBe(401);
    expect((await p.api.get(`/api/v1/conversations/${convA}`)).body.assigneeId).toBeNull();
    expect((await login(s.body.user.email, 'password123')).status).toBe(401);
    expect((await p.api.post(`/api/v1/users/${u.id}/tokens`)).status).toBe(409);
    const assign = await p.as(lead.token).post(`/api/v1/conversations/${convA}/assign`, { assigneeId: u.id });
    expect(assign.status).toBe(422);
    expect(assign.body.error.code).toBe('assignee_disabled');
    const adminId = (await p.api.get('/api/v1/me')).body.id;
    expect((await p.api.post(`/api/v1/users/${adminId}/disable`)).body.error.code).toBe('cannot_disable_self');
    expect((await p.api.get(`/api/v1/audit-log?action=user.disabled`)).body.data[0]).toMatchObject({ targetId: u.id, details: { releasedConversations: 1 } });

    expect((await p.api.post(`/api/v1/users/${u.id}/enable`)).body.disabledAt).toBeNull();
    expect((await login(s.body.user.email, 'password123')).status).toBe(200);
  });
});

describe('sessions and passwords', () => {
  it('lists and ends other sessions; a password change ends every other session', async () => {
    const u = await p.createUser('agent', 'Many browsers');
    const email = (await p.api.get('/api/v1/users')).body.data.find((x: any) => x.id === u.id).email;
    const laptop = await login(email, 'password123', 'laptop');
    const phone = await login(email, 'password123', 'phone');
    const tablet = await login(email, 'password123', 'tablet');
    const list = await send('GET', '/api/v1/me/sessions', null, undefined, withCookie(laptop));
    expect(list.body.data.map((x: any) => x.userAgent).sort()).toEqual(['laptop', 'phone', 'tablet']);
    expect(list.body.data.find((x: any) => x.current).userAgent).toBe('laptop');
    const phoneId = list.body.data.find((x: any) => x.userAgent === 'phone').id;
    // Another user cannot end it.
    expect((await send('DELETE', `/api/v1/me/sessions/${phoneId}`, agentA.token)).status).toBe(404);
    expect((await send('DELETE', `/api/v1/me/sessions/${phoneId}`, null, undefined, withCookie(laptop))).status).toBe(200);
    expect((await send('GET', '/api/v1/me', null, undefined, withCookie(phone))).status).toBe(401);
    expect((await send('GET', '/api/v1/me', null, undefined, withCookie(tablet))).status).toBe(200);

    expect((await send('POST', '/api/v1/me/password', null, { currentPassword: 'wrong-one', newPassword: 'new-password-1' }, withCookie(laptop))).status).toBe(403);
    const changed = await send('POST', '/api/v1/me/password', null, { currentPassword: 'password123', newPassword: 'new-password-1' }, withCookie(laptop));
    expect(changed.status).toBe(200);
    expect(changed.body.endedSessions).toBe(1);
    expect((await send('GET', '/api/v1/me', null, undefined, withCookie(tablet))).status).toBe(401);
    expect((await send('GET', '/api/v1/me', null, undefined, withCookie(laptop))).status).toBe(200);
    expect((await login(email, 'password123')).status).toBe(401);
    expect((await login(email, 'new-password-1')).status).toBe(200);

    const again = await login(email, 'new-password-1', 'kiosk');
    expect((await send('GET', `/api/v1/users/${u.id}/sessions`, lead.token)).status).toBe(403);
    expect((await send('GET', `/api/v1/users/${u.id}/sessions`, p.adminToken)).body.data.length).toBeGreaterThanOrEqual(2);
    expect((await send('DELETE', `/api/v1/users/${u.id}/sessions`, p.adminToken)).body.ended).toBeGreaterThanOrEqual(2);
    expect((await send('GET', '/api/v1/me', null, undefined, withCookie(again))).status).toBe(401);
  });
});

describe('audit log', () => {
  it('is admin-only, filters by actor, action and time, and pages by keyset', async () => {
    expect((await p.as(lead.token).get('/api/v1/audit-log')).status).toBe(403);
    const since = clock.now();
    clock.advance(1000);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await p.api.post('/api/v1/inboxes', { name: `Audit ${i}`, channel: 'webchat', config: { identitySecret: 'very-secret-value' } })).body.id);
    const first = await p.api.get(`/api/v1/audit-log?action=inbox.created&since=${since}&limit=2`);
    expect(first.body.data.map((e: any) => e.targetId)).toEqual([created[4], created[3]]);
    const second = await p.api.get(`/api/v1/audit-log?action=inbox.created&since=${since}&limit=2&cursor=${first.body.nextCursor}`);
    const third = await p.api.get(`/api/v1/audit-log?action=inbox.created&since=${since}&limit=2&cursor=${second.body.nextCursor}`);
    expect([...second.body.data, ...third.body.data].map((e: any) => e.targetId)).toEqual([created[2], created[1], created[0]]);
    expect(third.body.nextCursor).toBeNull();
    expect(first.body.data[0].details).toEqual({ name: 'Audit 4', channel: 'webchat', configKeys: ['identitySecret'] });
    expect(JSON.stringify(first.body)).not.toContain('very-secret-value');
    expect((await p.api.get(`/api/v1/audit-log?since=${new Date(clock.now() + 60_000).toISOString()}`)).body.data).toEqual([]);
    expect((await p.api.get(`/api/v1/audit-log?actorId=${lead.id}&action=inbox.created`)).body.data).toEqual([]);
    expect((await p.api.get('/api/v1/audit-log?cursor=abc')).status).toBe(400);
    const team = await p.as(lead.token).post('/api/v1/teams', { name: 'Audited team', userIds: [agentA.id] });
    expect((await p.api.get(`/api/v1/audit-log?actorId=${lead.id}&action=team.*`)).body.data).toMatchObject([{ action: 'team.created', targetId: team.body.id, details: { name: 'Audited team' } }]);
  });

  it('records a deleted team or webhook once it is gone, and nothing for a refused or missing one', async () => {
    const team = (await p.as(lead.token).post('/api/v1/teams', { name: 'Short-lived team' })).body.id;
    expect((await p.as(agentA.token).delete(`/api/v1/teams/${team}`)).status).toBe(403);
    expect((await p.as(lead.token).delete(`/api/v1/teams/${team}`)).status).toBe(204);
    expect((await p.as(lead.token).get(`/api/v1/teams/${team}`)).status).toBe(404);
    expect((await p.as(lead.token).delete(`/api/v1/teams/${team}`)).status).toBe(404);
    expect((await p.api.get('/api/v1/audit-log?action=team.deleted')).body.data).toMatchObject([{ actor: { id: lead.id }, targetType: 'team', targetId: team }]);

    const hook = (await p.api.post('/api/v1/webhooks', { url: 'https://hooks.example.com/gone', events: ['*'] })).body.id;
    expect((await p.as(lead.token).delete(`/api/v1/webhooks/${hook}`)).status).toBe(403);
    expect((await p.api.delete(`/api/v1/webhooks/${hook}`)).status).toBe(204);
    expect((await p.api.delete(`/api/v1/webhooks/${hook}`)).status).toBe(404);
    expect((await p.api.get('/api/v1/audit-log?action=webhook.deleted')).body.data).toMatchObject([{ targetType: 'webhook', targetId: hook }]);
    expect((await p.api.get('/api/v1/audit-log?action=webhook.deleted')).body.data).toHaveLength(1);
  });
});

describe('no GET with side effects', () => {
  it('reading a thread leaves it unread; POST /read marks it read (scoped like the conversation)', async () => {
    await ingest(p.deps, { id: inboxA, channel: 'webchat' }, [inboundMessage({ externalId: 'unread-1', threadKey: 'visitor-a', text: 'still there?',
      sentAt: clock.now() })]);
    const before = (await p.as(agentA.token).get(`/api/v1/conversations/${convA}`)).body.unreadCount;
    expect(before).toBeGreaterThan(0);
    expect((await p.as(agentA.token).get(`/api/v1/conversations/${convA}/messages`)).status).toBe(200);
    expect((await p.as(agentA.token).get(`/api/v1/conversations/${convA}`)).body.unreadCount).toBe(before);
    expect((await p.as(agentB.token).post(`/api/v1/conversations/${convA}/read`)).status).toBe(404);
    const read = await p.as(agentA.token).post(`/api/v1/conversations/${convA}/read`);
    expect(read.status).toBe(200);
    expect(read.body.unreadCount).toBe(0);
  });
});
