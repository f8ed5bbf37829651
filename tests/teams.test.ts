// Teams (leads/admins manage, agents read), team-restricted auto-assignment, availability API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/core/clock.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { createWebchatInbox, customerWrites, send, settled } from './helpers/workflow.js';

let p: TestParley;
let lead: { id: string; token: string }, agent: { id: string; token: string }, other: { id: string; token: string };

beforeAll(async () => {
  p = await startTestParley({ clock: manualClock(Date.parse('2026-03-02T09:00:00Z')) });
  lead = await p.createUser('lead', 'Lea');
  agent = await p.createUser('agent', 'Ann');
  other = await p.createUser('agent', 'Bob');
});
afterAll(() => p.stop());

describe('teams', () => {
  it('a lead creates a team and manages members; agents can read but not manage (403)', async () => {
    const l = p.as(lead.token);
    const created = await l.post('/api/v1/teams', { name: 'Billing' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Billing', memberIds: [] });
    const id = created.body.id;

    const added = await l.post(`/api/v1/teams/${id}/members`, { userIds: [agent.id, other.id, agent.id] });
    expect(added.status).toBe(200);
    expect(added.body.memberIds).toEqual([agent.id, other.id].sort());

    const a = p.as(agent.token);
    expect((await a.post('/api/v1/teams', { name: 'Rogue' })).status).toBe(403);
    expect((await a.post(`/api/v1/teams/${id}/members`, { userIds: [agent.id] })).status).toBe(403);
    expect((await send(p, agent.token, 'DELETE', `/api/v1/teams/${id}/members/${other.id}`)).status).toBe(403);
    const list = await a.get('/api/v1/teams');
    expect(list.status).toBe(200);
    expect(list.body.data.find((t: any) => t.id === id)).toMatchObject({ name: 'Billing', memberIds: [agent.id, other.id].sort() });

    const removed = await send(p, lead.token, 'DELETE', `/api/v1/teams/${id}/members/${other.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.memberIds).toEqual([agent.id]);

    expect((await l.post('/api/v1/teams', { name: 'billing' })).status).toBe(409);
    const unknown = await l.post(`/api/v1/teams/${id}/members`, { userIds: ['nope'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_user');
    expect((await l.post('/api/v1/teams/missing/members', { userIds: [agent.id] })).status).toBe(404);
    expect((await p.api.post('/api/v1/teams', { name: '' })).status).toBe(400);
  });

  it('a conversation given to a team is auto-assigned only to that team\'s members', async () => {
    const inbox = await createWebchatInbox(p, p.adminToken, 'Team inbox', { autoAssign: { enabled: true, maxOpenPerAgent: 5 } });
    const outsider = await p.createUser('agent', 'Out');
    const insider = await p.createUser('agent', 'Ins');
    await p.api.post(`/api/v1/inboxes/${inbox.id}/members`, { userIds: [outsider.id, insider.id] });
    const team = (await p.as(lead.token).post('/api/v1/teams', { name: 'Tier 2', userIds: [insider.id] })).body;
    const conv = await customerWrites(p, inbox.webchatToken, 'card declined');
    // Nobody online yet: it waits. The lead routes it to Tier 2.
    const routed = await p.as(lead.token).post(`/api/v1/conversations/${conv.conversationId}/assign`, { teamId: team.id });
    expect(routed.status).toBe(200);
    await settled(p);

    const out = await p.as(outsider.token).post('/api/v1/me/availability', { availability: 'online' });
    expect(out.status).toBe(200);
    expect(out.body.assigned).toEqual([]);
    const ins = await p.as(insider.token).post('/api/v1/me/availability', { availability: 'online' });
    expect(ins.body.assigned).toEqual([{ conversationId: conv.conversationId, assigneeId: insider.id }]);
    const listed = await p.api.get(`/api/v1/conversations?teamId=${team.id}&assignee=${insider.id}`);
    expect(listed.body.data.map((c: any) => c.id)).toEqual([conv.conversationId]);

    // A team-less conversation still goes to whoever is next (the outsider here).
    const next = await customerWrites(p, inbox.webchatToken, 'another');
    expect((await p.api.get(`/api/v1/conversations/${next.conversationId}`)).body.assigneeId).toBe(outsider.id);
  });
});

describe('availability', () => {
  it('agents set their own; leads and admins set anyone\'s; GET /users shows it', async () => {
    const me = await p.as(agent.token).post('/api/v1/me/availability', { availability: 'busy' });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: agent.id, availability: 'busy' });
    expect((await p.as(agent.token).post(`/api/v1/users/${other.id}/availability`, { availability: 'online' })).status).toBe(403);
    expect((await p.as(lead.token).post(`/api/v1/users/${other.id}/availability`, { availability: 'offline' })).status).toBe(200);
    expect((await p.api.post(`/api/v1/users/${agent.id}/availability`, { availability: 'online' })).status).toBe(200);
    expect((await p.api.post('/api/v1/users/nobody/availability', { availability: 'online' })).status).toBe(404);
    const bad = await p.as(agent.token).post('/api/v1/me/availability', { availability: 'away' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    // An agent's /users holds only teammates (Bob left Ann's team); a lead sees everyone.
    const users = (await p.as(lead.token).get('/api/v1/users')).body.data;
    expect(users.find((u: any) => u.id === agent.id).availability).toBe('online');
    expect(users.find((u: any) => u.id === other.id).availability).toBe('offline');
    expect((await p.as(agent.token).get('/api/v1/users')).body.data.find((u: any) => u.id === agent.id)).toEqual({ id: agent.id, name: 'Ann', availability: 'online' });
  });
});
