import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/domain/ingest/ingest.js';
import { twoTeams } from './helpers/inboxes.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';
import { inboundMessage } from './helpers/inbound.js';

let p: TestParley;
let inboxA: string, inboxB: string, convA: string, convB: string;
let agentA: { id: string; token: string }, agentB: { id: string; token: string }, lead: { id: string; token: string };

beforeAll(async () => {
  p = await startTestParley();
  ({ inboxA, inboxB, agentA, agentB, lead } = await twoTeams(p));
  const ev = (id: string, t: string) => inboundMessage({ externalId: id, threadKey: t, text: `secret ${t}`, sender: { externalId: `c-${t}` } });
  await ingest(p.deps, { id: inboxA, channel: 'webchat' }, [ev('a1', 'ta')]);
  await ingest(p.deps, { id: inboxB, channel: 'webchat' }, [ev('b1', 'tb')]);
  convA = (await p.store.get<any>('SELECT id FROM conversations WHERE inbox_id = ?', [inboxA])).id;
  convB = (await p.store.get<any>('SELECT id FROM conversations WHERE inbox_id = ?', [inboxB])).id;
});
afterAll(() => p.stop());

describe('auth', () => {
  it('answers 401 without a token or with a bad one', async () => {
    expect((await apiClient(p.url).get('/api/v1/conversations')).status).toBe(401);
    const bad = await apiClient(p.url, 'prl_not-a-real-token').get('/api/v1/conversations');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('unauthorized');
    expect((await apiClient(p.url, 'garbage').get('/api/v1/inboxes')).status).toBe(401);
  });
});

describe('scoping', () => {
  it('an agent of inbox A sees only inbox A', async () => {
    const a = p.as(agentA.token);
    const list = await a.get('/api/v1/conversations');
    expect(list.body.data.map((c: any) => c.id)).toEqual([convA]);
    expect((await a.get('/api/v1/inboxes')).body.data.map((i: any) => i.id)).toEqual([inboxA]);
    expect((await a.get(`/api/v1/conversations?inboxId=${inboxB}`)).body.data).toEqual([]);
    expect((await a.get(`/api/v1/conversations/${convB}`)).status).toBe(404);
    expect((await a.get(`/api/v1/conversations/${convB}/messages`)).status).toBe(404);
    expect((await a.post(`/api/v1/conversations/${convB}/messages`, { content: 'x' })).status).toBe(404);
    expect((await a.post(`/api/v1/conversations/${convB}/assign`, { assigneeId: agentA.id })).status).toBe(404);
    expect((await a.post(`/api/v1/conversations/${convB}/status`, { status: 'resolved' })).status).toBe(404);
    expect((await a.get(`/api/v1/inboxes/${inboxB}`)).status).toBe(404);
    const n = await p.store.get<any>('SELECT count(*) AS n FROM messages WHERE conversation_id = ?', [convB]);
    expect(n.n).toBe(1);
  });

  it('an inbox the agent is not in answers 404 like one that does not exist, on every inbox read', async () => {
    const a = p.as(agentA.token);
    for (const path of ['', '/members', '/business-hours', '/templates']) {
      expect((await a.get(`/api/v1/inboxes/${inboxB}${path}`)).status).toBe(404);
      expect((await p.api.get(`/api/v1/inboxes/no-such-inbox${path}`)).status).toBe(404);
    }
    expect((await a.get(`/api/v1/inboxes/${inboxA}/members`)).status).toBe(200);
    expect((await a.get(`/api/v1/inboxes/${inboxA}/business-hours`)).status).toBe(200);
    expect((await a.get(`/api/v1/inboxes/${inboxA}/templates`)).body.error.code).toBe('templates_unsupported');
    expect((await a.get(`/api/v1/conversations/${convB}/reply-options`)).status).toBe(404);
    expect((await a.get(`/api/v1/conversations/${convA}/reply-options`)).body).toMatchObject({ state: 'open', closesAt: null, continueOn: [] });
  });

  it('leads and admins see every inbox', async () => {
    const ids = (await p.as(lead.token).get('/api/v1/conversations')).body.data.map((c: any) => c.id).sort();
    expect(ids).toEqual([convA, convB].sort());
  });

  it('only admins manage inboxes and users', async () => {
    for (const who of [agentA, lead]) {
      const api = p.as(who.token);
      expect((await api.post('/api/v1/inboxes', { name: 'X', channel: 'webchat', config: {} })).status).toBe(403);
      expect((await api.post(`/api/v1/inboxes/${inboxA}/members`, { userIds: [who.id] })).status).toBe(403);
      expect((await api.post('/api/v1/users', { email: 'zed@example.com', name: 'Z', role: 'admin' })).status).toBe(403);
    }
  });

  it('agents assign only to themselves; leads assign to anyone', async () => {
    const a = p.as(agentA.token);
    const other = await p.createUser('agent', 'Other A');
    await p.api.post(`/api/v1/inboxes/${inboxA}/members`, { userIds: [other.id] });
    expect((await a.post(`/api/v1/conversations/${convA}/assign`, { assigneeId: other.id })).status).toBe(403);
    const self = await a.post(`/api/v1/conversations/${convA}/assign`, { assigneeId: agentA.id });
    expect(self.status).toBe(200);
    expect(self.body.assigneeId).toBe(agentA.id);
    const byLead = await p.as(lead.token).post(`/api/v1/conversations/${convA}/assign`, { assigneeId: other.id });
    expect(byLead.body.assigneeId).toBe(other.id);
    // An agent who is not a member of the inbox cannot be the assignee.
    const notMember = await p.as(lead.token).post(`/api/v1/conversations/${convA}/assign`, { assigneeId: agentB.id });
    expect(notMember.status).toBe(422);
    expect(notMember.body.error.code).toBe('assignee_not_member');
    const mine = await p.as(other.token).get('/api/v1/conversations?assignee=me');
    expect(mine.body.data.map((c: any) => c.id)).toEqual([convA]);
  });
});
