import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { manualClock } from '../src/domain/core/clock.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { emitEvents } from '../src/domain/events/emit.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { inboundMessage } from './helpers/inbound.js';

const emailLike: Connector<Record<string, unknown>> = {
  kind: 'email', info: { label: 'Test channel', badge: 'T', color: '#475569', configTemplate: {} }, config: z.object({}).passthrough(), limits: { attachments: false },
  send: async (_c, m) => ({ externalId: `sent-${m.messageId}` }),
};

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0); // Monday 2026-11-02 09:00Z
const clock = manualClock(T0);
let p: TestParley;
let A: { id: string; channel: string };
let B: { id: string; channel: string };
let X: { id: string; token: string };
let Y: { id: string; token: string };
let teamId: string;
const c: Record<string, string> = {};
let seq = 0;

async function open(name: string, inbox: { id: string; channel: string }, at: number) {
  clock.set(at);
  const r = await ingest(p.deps, inbox, [inboundMessage({ externalId: `r-${++seq}`, threadKey: name, sender: { externalId: name, name }, text: `hello from ${name}`, sentAt: at })]);
  c[name] = r.inserted[0].conversationId;
}
async function reply(name: string, at: number) {
  clock.set(at);
  expect((await p.api.post(`/api/v1/conversations/${c[name]}/messages`, { content: 'on it' })).status).toBe(201);
}
async function resolve(name: string, at: number) {
  clock.set(at);
  expect((await p.api.post(`/api/v1/conversations/${c[name]}/status`, { status: 'resolved' })).status).toBe(200);
}
async function assign(name: string, body: Record<string, unknown>) {
  const r = await p.api.post(`/api/v1/conversations/${c[name]}/assign`, body);
  expect(r.status).toBe(200);
}
async function event(type: string, name: string, inbox: string, at: number, payload: Record<string, unknown>) {
  clock.set(at);
  await emitEvents(p.deps, [{ type, inboxId: inbox, conversationId: c[name], payload }]);
}

beforeAll(async () => {
  p = await startTestParley({ clock, connectors: createRegistry({ email: emailLike }) });
  A = { id: (await p.api.post('/api/v1/inboxes', { name: 'Chat A', channel: 'webchat', config: {} })).body.id, channel: 'webchat' };
  B = { id: (await p.api.post('/api/v1/inboxes', { name: 'Mail, "B"', channel: 'email', config: {} })).body.id, channel: 'email' };
  X = await p.createUser('agent', 'Xavier');
  Y = await p.createUser('agent', 'Yan');
  await p.api.post(`/api/v1/inboxes/${A.id}/members`, { userIds: [X.id] });
  await p.api.post(`/api/v1/inboxes/${B.id}/members`, { userIds: [Y.id] });
  teamId = 'team-billing';
  p.store.sqlite.prepare('INSERT INTO teams(id, name, created_at) VALUES (?, ?, ?)').run(teamId, 'Billing', T0);

  // Opened the day before, resolved in range: counts as resolved, not as opened.
  await open('B0', B, T0 - 24 * 60 * MIN); await reply('B0', T0 - 24 * 60 * MIN + 5 * MIN); await resolve('B0', T0 + 180 * MIN);
  await open('A1', A, T0); await reply('A1', T0 + 2 * MIN); await resolve('A1', T0 + 60 * MIN);
  await open('A2', A, T0 + 10 * MIN); await reply('A2', T0 + 14 * MIN); await resolve('A2', T0 + 130 * MIN);
  await open('A3', A, T0 + 20 * MIN); await reply('A3', T0 + 30 * MIN);
  await open('B1', B, T0 + 30 * MIN); await reply('B1', T0 + 31 * MIN); await resolve('B1', T0 + 60 * MIN);
  await open('B2', B, T0 + 40 * MIN);
  for (const n of ['A1', 'A2', 'A3']) await assign(n, { assigneeId: X.id });
  for (const n of ['B0', 'B1']) await assign(n, { assigneeId: Y.id });
  for (const n of ['A1', 'B1']) await assign(n, { teamId });

  await event('sla.breached', 'A2', A.id, T0 + 40 * MIN, { kind: 'first_reply', dueAt: new Date(T0).toISOString() });
  await event('sla.breached', 'B2', B.id, T0 + 100 * MIN, { kind: 'first_reply', dueAt: new Date(T0).toISOString() });
  await event('sla.breached', 'A3', A.id, T0 + 26 * 60 * MIN, { kind: 'next_reply', dueAt: new Date(T0).toISOString() }); // next day
  await event('csat.received', 'A1', A.id, T0 + 70 * MIN, { rating: 5, comment: 'great' });
  await event('csat.received', 'A2', A.id, T0 + 140 * MIN, { rating: 3, comment: null });
  await event('csat.received', 'B1', B.id, T0 + 70 * MIN, { rating: 4 });
  await event('csat.received', 'B0', B.id, T0 - 10 * 60 * MIN, { rating: 1 }); // day before (23:00Z)
  clock.set(T0 + 3 * 24 * 60 * MIN);
});
afterAll(() => p.stop());

const range = 'from=2026-11-02&to=2026-11-02';

describe('reports', () => {
  it('summarises a known day: counts, median/p90 first reply and resolution, SLA breaches, CSAT, per inbox and agent', async () => {
    const lead = await p.createUser('lead');
    const r = await p.as(lead.token).get(`/api/v1/reports/summary?${range}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z',
      conversationsOpened: 5, conversationsResolved: 4,
      firstReplyMinutes: { median: 3, p90: 8.2 }, // [1, 2, 4, 10]
      resolutionMinutes: { median: 90, p90: 1170 }, // [30, 60, 120, 1620]
      slaBreaches: 2, csatAverage: 4, csatResponses: 3,
    });
    const inA = r.body.byInbox.find((i: any) => i.inboxId === A.id);
    expect(inA).toMatchObject({ name: 'Chat A', channel: 'webchat', conversationsOpened: 3, conversationsResolved: 2,
      firstReplyMinutes: { median: 4, p90: 8.8 }, resolutionMinutes: { median: 90, p90: 114 }, slaBreaches: 1, csatAverage: 4, csatResponses: 2 });
    const inB = r.body.byInbox.find((i: any) => i.inboxId === B.id);
    expect(inB).toMatchObject({ conversationsOpened: 2, conversationsResolved: 2, firstReplyMinutes: { median: 1, p90: 1 },
      resolutionMinutes: { median: 825, p90: 1461 }, slaBreaches: 1, csatAverage: 4, csatResponses: 1 });
    expect(r.body.byAgent.map((a: any) => [a.name, a.conversationsOpened, a.conversationsResolved, a.slaBreaches, a.csatAverage])).toEqual([
      ['Xavier', 3, 2, 1, 4], ['Yan', 1, 2, 0, 4],
    ]);
  });

  it('filters by inbox, agent and team', async () => {
    const byInbox = await p.api.get(`/api/v1/reports/summary?${range}&inboxId=${A.id}`);
    expect(byInbox.body).toMatchObject({ conversationsOpened: 3, conversationsResolved: 2, slaBreaches: 1, csatResponses: 2, filters: { inboxId: A.id } });
    expect(byInbox.body.byInbox.map((i: any) => i.inboxId)).toEqual([A.id]);
    const byAgent = await p.api.get(`/api/v1/reports/summary?${range}&agentId=${Y.id}`);
    expect(byAgent.body).toMatchObject({ conversationsOpened: 1, conversationsResolved: 2, firstReplyMinutes: { median: 1, p90: 1 }, slaBreaches: 0, csatAverage: 4, csatResponses: 1 });
    const byTeam = await p.api.get(`/api/v1/reports/summary?${range}&teamId=${teamId}`);
    expect(byTeam.body).toMatchObject({ conversationsOpened: 2, conversationsResolved: 2, firstReplyMinutes: { median: 1.5, p90: 1.9 },
      resolutionMinutes: { median: 45, p90: 57 }, slaBreaches: 0, csatAverage: 4.5, csatResponses: 2 });
    const nextDay = await p.api.get('/api/v1/reports/summary?from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z');
    expect(nextDay.body).toMatchObject({ conversationsOpened: 0, conversationsResolved: 0, slaBreaches: 1, csatAverage: null, firstReplyMinutes: { median: null, p90: null } });
  });

  it('exports CSV (summary.csv and Accept: text/csv) with quoting', async () => {
    const res = await fetch(`${p.url}/api/v1/reports/summary.csv?${range}`, { headers: { authorization: `Bearer ${p.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('scope,id,name,conversationsOpened,conversationsResolved,firstReplyMedianMinutes,firstReplyP90Minutes,resolutionMedianMinutes,resolutionP90Minutes,slaBreaches,csatAverage,csatResponses');
    expect(lines[1]).toBe('total,,2026-11-02T00:00:00.000Z/2026-11-03T00:00:00.000Z,5,4,3,8.2,90,1170,2,4,3');
    expect(lines).toContain(`inbox,${B.id},"Mail, ""B""",2,2,1,1,825,1461,1,4,1`);
    expect(lines).toContain(`agent,${X.id},Xavier,3,2,4,8.8,90,114,1,4,2`);
    expect(lines).toHaveLength(1 + 1 + 2 + 2);
    const viaAccept = await fetch(`${p.url}/api/v1/reports/summary?${range}`, { headers: { authorization: `Bearer ${p.adminToken}`, accept: 'text/csv' } });
    expect(viaAccept.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await viaAccept.text()).split('\r\n')[1]).toBe(lines[1]);
  });

  it('is for leads and admins only; bad dates are named', async () => {
    expect((await p.as(X.token).get(`/api/v1/reports/summary?${range}`)).status).toBe(403);
    expect((await p.as(X.token).get(`/api/v1/reports/summary.csv?${range}`)).status).toBe(403);
    const bad = await p.api.get('/api/v1/reports/summary?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/from/);
    expect((await p.api.get('/api/v1/reports/summary?from=2026-11-03&to=2026-11-01')).status).toBe(400);
  });
});
