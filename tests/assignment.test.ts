// Automatic assignment: round-robin among online members, capacity, pick-up, fairness across a
// restart, and no double assignment under concurrent triggers. Time is a manual clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drainInbox } from '../src/domain/workflow/assignment.js';
import type { Deps } from '../src/domain/deps.js';
import type { Store } from '../src/domain/core/store.js';
import { manualClock } from '../src/domain/core/clock.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { createWebchatInbox, customerWrites, send, settled } from './helpers/workflow.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const started: TestParley[] = [];
async function start(opts: Parameters<typeof startTestParley>[0] = {}) {
  const p = await startTestParley({ clock: manualClock(T0), ...opts });
  started.push(p);
  return p;
}
afterAll(async () => { for (const p of started) await p.stop().catch(() => {}); });

async function agents(p: TestParley, inboxId: string, names: string[], token = p.adminToken) {
  const out = [];
  for (const n of names) out.push(await p.createUser('agent', n));
  const r = await p.as(token).post(`/api/v1/inboxes/${inboxId}/members`, { userIds: out.map((a) => a.id) });
  expect(r.status).toBe(200);
  return out;
}
const online = async (p: TestParley, a: { token: string }, availability = 'online') => {
  const r = await p.as(a.token).post('/api/v1/me/availability', { availability });
  expect(r.status).toBe(200);
  return r.body;
};
const assigneeOf = async (p: TestParley, id: string, token = p.adminToken) => (await p.as(token).get(`/api/v1/conversations/${id}`)).body.assigneeId as string | null;

describe('round-robin', () => {
  it('rotates among online members in order and skips anyone at capacity', async () => {
    const p = await start();
    const clock = p.deps.clock as ReturnType<typeof manualClock>;
    const inbox = await createWebchatInbox(p, p.adminToken, 'Support', { autoAssign: { enabled: true, maxOpenPerAgent: 2 } });
    const [a, b, c] = await agents(p, inbox.id, ['Ann', 'Bob', 'Cat']);
    const d = (await agents(p, inbox.id, ['Dan']))[0]; // stays offline: never assigned
    for (const x of [a, b, c]) await online(p, x);
    const conv: string[] = [];
    const next = async () => { clock.advance(60_000); conv.push((await customerWrites(p, inbox.webchatToken, `help ${conv.length + 1}`)).conversationId); return conv[conv.length - 1]; };

    for (let i = 0; i < 5; i++) await next();
    expect(await Promise.all(conv.map((id) => assigneeOf(p, id)))).toEqual([a.id, b.id, c.id, a.id, b.id]);

    // Bob resolves one: Ann 2 (full), Bob 1, Cat 1.
    const r = await p.as(b.token).post(`/api/v1/conversations/${conv[1]}/status`, { status: 'resolved' });
    expect(r.status).toBe(200);
    await settled(p);
    expect(await assigneeOf(p, await next())).toBe(c.id); // after Bob comes Cat
    expect(await assigneeOf(p, await next())).toBe(b.id); // Ann is at capacity: skipped
    // Everyone at capacity now: the next conversation waits unassigned.
    const waiting = await next();
    expect(await assigneeOf(p, waiting)).toBeNull();
    expect(await assigneeOf(p, conv[0])).toBe(a.id);
    expect(conv).toHaveLength(8);
    const loads = await p.store.all<{ assignee_id: string; n: number }>(
      "SELECT assignee_id, count(*) AS n FROM conversations WHERE inbox_id = ? AND status IN ('open','pending') AND assignee_id IS NOT NULL GROUP BY assignee_id ORDER BY assignee_id", [inbox.id]);
    expect(loads.map((l) => l.n)).toEqual([2, 2, 2]);
    expect(loads.some((l) => l.assignee_id === d.id)).toBe(false);

    // Ann snoozes one: the waiting conversation is picked up by Ann, the only one with room.
    const s = await p.as(a.token).post(`/api/v1/conversations/${conv[0]}/status`, { status: 'snoozed', snoozeUntil: T0 + 86_400_000 });
    expect(s.status).toBe(200);
    await settled(p);
    expect(await assigneeOf(p, waiting)).toBe(a.id);
  });

  it('a busy agent gets nothing new; the inbox without autoAssign is left alone', async () => {
    const p = await start();
    const inbox = await createWebchatInbox(p, p.adminToken, 'Sales', { autoAssign: { enabled: true } });
    const manual = await createWebchatInbox(p, p.adminToken, 'Manual');
    const [a, b] = await agents(p, inbox.id, ['Ann', 'Bob']);
    await p.api.post(`/api/v1/inboxes/${manual.id}/members`, { userIds: [a.id, b.id] });
    await online(p, a);
    await online(p, b, 'busy');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await customerWrites(p, inbox.webchatToken, `q${i}`)).conversationId);
    // No maxOpenPerAgent: no limit, so Ann (the only online one) takes all three.
    expect(await Promise.all(ids.map((id) => assigneeOf(p, id)))).toEqual([a.id, a.id, a.id]);
    const other = await customerWrites(p, manual.webchatToken, 'hello manual');
    expect(await assigneeOf(p, other.conversationId)).toBeNull();
    const users = await p.api.get('/api/v1/users');
    expect(users.body.data.find((u: any) => u.id === b.id).availability).toBe('busy');
  });
});

describe('pick-up', () => {
  it('an agent coming online picks up the conversation waiting longest; the next agent gets the next', async () => {
    const p = await start();
    const clock = p.deps.clock as ReturnType<typeof manualClock>;
    const inbox = await createWebchatInbox(p, p.adminToken, 'Support', { autoAssign: { enabled: true, maxOpenPerAgent: 1 } });
    const [a, b] = await agents(p, inbox.id, ['Ann', 'Bob']);
    const x = await customerWrites(p, inbox.webchatToken, 'first');
    clock.advance(60_000);
    const y = await customerWrites(p, inbox.webchatToken, 'second');
    expect(await assigneeOf(p, x.conversationId)).toBeNull();
    // An admin answers X without taking it; the customer writes again later: now Y waits longer.
    expect((await p.api.post(`/api/v1/conversations/${x.conversationId}/messages`, { content: 'looking' })).status).toBe(201);
    clock.advance(60_000);
    await x.writeAgain('still there?');
    expect(await assigneeOf(p, x.conversationId)).toBeNull();

    const got = await online(p, a);
    expect(got.assigned).toEqual([{ conversationId: y.conversationId, assigneeId: a.id }]);
    expect(await assigneeOf(p, y.conversationId)).toBe(a.id);
    expect(await assigneeOf(p, x.conversationId)).toBeNull(); // Ann is at capacity (1)

    // A lead can switch someone else online; an agent cannot.
    expect((await p.as(a.token).post(`/api/v1/users/${b.id}/availability`, { availability: 'online' })).status).toBe(403);
    const lead = await p.createUser('lead', 'Lea');
    const byLead = await p.as(lead.token).post(`/api/v1/users/${b.id}/availability`, { availability: 'online' });
    expect(byLead.status).toBe(200);
    expect(byLead.body).toMatchObject({ id: b.id, availability: 'online', assigned: [{ conversationId: x.conversationId, assigneeId: b.id }] });
  });

  it('an agent who hands a conversation back takes the next waiting one; it goes to the next agent with room', async () => {
    const p = await start();
    const clock = p.deps.clock as ReturnType<typeof manualClock>;
    const inbox = await createWebchatInbox(p, p.adminToken, 'Support', { autoAssign: { enabled: true, maxOpenPerAgent: 1 } });
    const [a, b] = await agents(p, inbox.id, ['Ann', 'Bob']);
    for (const x of [a, b]) await online(p, x);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) { clock.advance(60_000); ids.push((await customerWrites(p, inbox.webchatToken, `q${i}`)).conversationId); }
    expect(await Promise.all(ids.map((id) => assigneeOf(p, id)))).toEqual([a.id, b.id, null]);

    const back = await p.as(a.token).post(`/api/v1/conversations/${ids[0]}/assign`, { assigneeId: null });
    expect(back.status).toBe(200);
    await settled(p);
    // Ann freed her slot: she gets the next waiting conversation, not the one she handed back.
    expect(await Promise.all(ids.map((id) => assigneeOf(p, id)))).toEqual([null, b.id, a.id]);
    // Bob frees capacity by resolving: the handed-back conversation (waiting longest) is his.
    await p.as(b.token).post(`/api/v1/conversations/${ids[1]}/status`, { status: 'resolved' });
    await settled(p);
    expect(await assigneeOf(p, ids[0])).toBe(b.id);
  });

  it('reopening an unassigned resolved conversation assigns it', async () => {
    const p = await start();
    const inbox = await createWebchatInbox(p, p.adminToken, 'Support', { autoAssign: { enabled: false } });
    const [a] = await agents(p, inbox.id, ['Ann']);
    await online(p, a);
    const x = await customerWrites(p, inbox.webchatToken, 'hi');
    expect(await assigneeOf(p, x.conversationId)).toBeNull();
    expect((await p.api.post(`/api/v1/conversations/${x.conversationId}/status`, { status: 'resolved' })).status).toBe(200);
    const patched = await send(p, p.adminToken, 'PATCH', `/api/v1/inboxes/${inbox.id}`, { settings: { autoAssign: { enabled: true, maxOpenPerAgent: 5 } } });
    expect(patched.status).toBe(200);
    await settled(p);
    expect(await assigneeOf(p, x.conversationId)).toBeNull(); // resolved: not work to hand out
    await x.writeAgain('it broke again'); // the customer's message reopens it
    const conv = (await p.api.get(`/api/v1/conversations/${x.conversationId}`)).body;
    expect(conv).toMatchObject({ status: 'open', assigneeId: a.id });
  });
});

describe('fairness across a restart', () => {
  it('continues the rotation where the previous process left it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-rr-'));
    const dbFile = join(dir, 'parley.db');
    try {
      const p1 = await start({ dbFile });
      const inbox = await createWebchatInbox(p1, p1.adminToken, 'Support', { autoAssign: { enabled: true, maxOpenPerAgent: 10 } });
      const [a, b, c] = await agents(p1, inbox.id, ['Ann', 'Bob', 'Cat']);
      for (const x of [a, b, c]) await online(p1, x);
      const c1 = await customerWrites(p1, inbox.webchatToken, 'one');
      const c2 = await customerWrites(p1, inbox.webchatToken, 'two');
      expect([await assigneeOf(p1, c1.conversationId), await assigneeOf(p1, c2.conversationId)]).toEqual([a.id, b.id]);
      const adminToken = p1.adminToken;
      await p1.stop();

      const p2 = await start({ dbFile }); // same store, fresh process state
      const c3 = await customerWrites(p2, inbox.webchatToken, 'three');
      const c4 = await customerWrites(p2, inbox.webchatToken, 'four');
      expect([await assigneeOf(p2, c3.conversationId, adminToken), await assigneeOf(p2, c4.conversationId, adminToken)]).toEqual([c.id, a.id]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('atomic assignment', () => {
  it('concurrent drains never double-assign nor exceed capacity, and keep the rotation', async () => {
    const p = await start();
    const inbox = await createWebchatInbox(p, p.adminToken, 'Busy', { autoAssign: { enabled: false } });
    const [a, b] = await agents(p, inbox.id, ['Ann', 'Bob']);
    for (const x of [a, b]) await online(p, x);
    const clock = p.deps.clock as ReturnType<typeof manualClock>;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) { clock.advance(1000); ids.push((await customerWrites(p, inbox.webchatToken, `c${i}`)).conversationId); }
    // Turn it on behind the API's back so nothing reacts yet, then race ten drains.
    await p.store.run('UPDATE inboxes SET settings = ? WHERE id = ?', [JSON.stringify({ autoAssign: { enabled: true, maxOpenPerAgent: 2 } }), inbox.id]);
    const since = (await p.store.get<{ m: number }>('SELECT coalesce(max(id), 0) AS m FROM events'))!.m;
    const results = await Promise.all(Array.from({ length: 10 }, () => drainInbox(p.deps, inbox.id)));
    await settled(p);
    const all = results.flat();
    expect(all).toHaveLength(4);
    expect(new Set(all.map((r) => r.conversationId)).size).toBe(4);
    // Oldest first, alternating Ann/Bob; the two newest wait.
    expect(await Promise.all(ids.map((id) => assigneeOf(p, id)))).toEqual([a.id, b.id, a.id, b.id, null, null]);
    const events = await p.store.all<{ conversation_id: string }>("SELECT conversation_id FROM events WHERE id > ? AND type = 'conversation.updated' AND json_extract(payload, '$.change.auto') = 1", [since]);
    expect(events).toHaveLength(4);
  });

  // Another process (or a stale read) acts between our read and our write: the conditional
  // UPDATE must notice and re-pick rather than trust what it read.
  async function raceSetup(maxOpenPerAgent: number | undefined, movePointer: boolean) {
    const p = await start();
    const inbox = await createWebchatInbox(p, p.adminToken, 'Race', { autoAssign: { enabled: false } });
    const [a, b] = await agents(p, inbox.id, ['Ann', 'Bob']);
    for (const x of [a, b]) await online(p, x);
    const c1 = (await customerWrites(p, inbox.webchatToken, 'one')).conversationId;
    const c2 = (await customerWrites(p, inbox.webchatToken, 'two')).conversationId;
    await p.store.run('UPDATE inboxes SET settings = ? WHERE id = ?', [JSON.stringify({ autoAssign: { enabled: true, maxOpenPerAgent } }), inbox.id]);
    let interfered = false;
    const store: Store = {
      all: (q, v) => p.store.all(q, v), get: (q, v) => p.store.get(q, v), run: (q, v) => p.store.run(q, v),
      async atomically(stmts) {
        if (!interfered) {
          interfered = true; // meanwhile elsewhere: c2 went to Ann (a manual assignment, or another process's turn)
          await p.store.run('UPDATE conversations SET assignee_id = ? WHERE id = ?', [a.id, c2]);
          if (movePointer) await p.store.run('INSERT INTO assignment_pointers(inbox_id, last_user_id, updated_at) VALUES (?, ?, 0)', [inbox.id, a.id]);
        }
        return p.store.atomically(stmts);
      },
    };
    const deps: Deps = { ...p.deps, store };
    const got = await drainInbox(deps, inbox.id);
    await settled(p);
    return { got, a, b, c1, c2, interfered };
  }

  it('re-picks when an agent filled up between the read and the write', async () => {
    const r = await raceSetup(1, false);
    expect(r.interfered).toBe(true);
    expect(r.got).toEqual([{ conversationId: r.c1, assigneeId: r.b.id }]);
  });

  it('re-picks when the rotation moved between the read and the write', async () => {
    const r = await raceSetup(undefined, true);
    expect(r.got).toEqual([{ conversationId: r.c1, assigneeId: r.b.id }]);
  });
});
