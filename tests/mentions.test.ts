// @mentions in private notes reach only the mentioned user's event stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMentions } from '../src/domain/conversations/mentions.js';
import { collectSse, startTestParley, type TestParley } from './helpers/parley.js';
import { createWebchatInbox, customerWrites, namedUser, settled } from './helpers/workflow.js';

let p: TestParley;
let ann: { id: string; token: string; email: string }, bob: { id: string; token: string; email: string }, fang: { id: string; token: string; email: string };
let outsider: { id: string; token: string; email: string };
let conversationId: string;

beforeAll(async () => {
  p = await startTestParley();
  ann = await p.createUser('agent', 'Ann Lee');
  bob = await p.createUser('agent', 'Bob');
  fang = await namedUser(p, 'agent', '王芳', 'fang.wang@test.local');
  outsider = await p.createUser('agent', 'Olga');
  const inbox = await createWebchatInbox(p, p.adminToken, 'Support');
  await p.api.post(`/api/v1/inboxes/${inbox.id}/members`, { userIds: [ann.id, bob.id, fang.id] });
  conversationId = (await customerWrites(p, inbox.webchatToken, 'my card was charged twice')).conversationId;
});
afterAll(() => p.stop());

/** Every event the user's /events stream replays after `since`, up to the live marker. */
async function eventsFor(token: string, since: number) {
  const res = await fetch(`${p.url}/api/v1/events?lastEventId=${since}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const events = await collectSse(res, (es) => es.some((e) => e.event === 'ready'));
  expect(events.at(-1)?.event).toBe('ready');
  return events;
}

describe('mentions', () => {
  it('a private note with @Name notifies only that user', async () => {
    const since = (await p.store.get<{ m: number }>('SELECT coalesce(max(id), 0) AS m FROM events'))!.m;
    const note = await p.as(bob.token).post(`/api/v1/conversations/${conversationId}/messages`, { content: '@Ann Lee can you check the refund? cc @olga', private: true });
    expect(note.status).toBe(201);
    await settled(p);

    const forAnn = (await eventsFor(ann.token, since)).filter((e) => e.event === 'mention');
    expect(forAnn).toHaveLength(1);
    expect(forAnn[0].data).toMatchObject({ conversationId, messageId: note.body.id, by: bob.id });
    for (const u of [bob, fang, outsider]) expect((await eventsFor(u.token, since)).some((e) => e.event === 'mention')).toBe(false);
    // The admin sees everything else, but not someone else's mention.
    const admin = await eventsFor(p.adminToken, since);
    expect(admin.some((e) => e.event === 'message.created')).toBe(true);
    expect(admin.some((e) => e.event === 'mention')).toBe(false);
  });

  it('@email-localpart and Chinese names work; replies and addresses do not mention', async () => {
    const since = (await p.store.get<{ m: number }>('SELECT coalesce(max(id), 0) AS m FROM events'))!.m;
    const local = bob.email.split('@')[0];
    const note = await p.as(ann.token).post(`/api/v1/conversations/${conversationId}/messages`, { content: `@${local}. 另外 @王芳请看一下`, private: true });
    expect(note.status).toBe(201);
    // A public reply never mentions, and an email address is not a mention.
    await p.as(ann.token).post(`/api/v1/conversations/${conversationId}/messages`, { content: `@${local} hi`, private: false });
    await p.as(ann.token).post(`/api/v1/conversations/${conversationId}/messages`, { content: `mail ${fang.email} please`, private: true });
    await settled(p);
    const rows = await p.store.all<{ user_id: string; payload: string }>("SELECT user_id, payload FROM events WHERE id > ? AND type = 'mention' ORDER BY id", [since]);
    expect(rows.map((r) => r.user_id).sort()).toEqual([bob.id, fang.id].sort());
    expect(rows.every((r) => JSON.parse(r.payload).messageId === note.body.id)).toBe(true);
  });

  it('prefers the longest name at an @', () => {
    const users = [{ id: 'a', name: 'Ann', email: 'ann@x' }, { id: 'b', name: 'Ann Lee', email: 'al@x' }];
    expect(findMentions('hey @ann lee!', users)).toEqual(['b']);
    expect(findMentions('hey @ann, and @annie', users)).toEqual(['a']);
    expect(findMentions('ann@x.com', users)).toEqual([]);
  });
});
