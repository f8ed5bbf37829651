// X DMs end to end: the real twitter-api-v2 client against the fake X API on loopback.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { twitter } from '../connectors/twitter/index.js';
import { startTwitterFake, type TwitterFake } from '../connectors/twitter/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { fixture } from './helpers/fixture.js';
import { expectHeldThenSentOnce } from './helpers/outbox.js';
import { startTestParley } from './helpers/parley.js';
import { createInbox as createInboxVia } from './helpers/inboxes.js';

const clock = manualClock(Date.now());
const p = fixture(() => startTestParley({ clock }));
let fake: TwitterFake;
// One fake X account per test, so each inbox's first poll sees only that test's DMs.
beforeEach(async () => { clock.set(Date.now() + 1000); fake = await startTwitterFake(); });
afterEach(() => fake.close());

async function createInbox(extra: Record<string, unknown> = {}) {
  return (await createInboxVia(p.api, 'twitter', fake.inboxConfig(extra as never))).id;
}
const inboxRow = (id: string) => p.store.get('SELECT * FROM inboxes WHERE id = ?', [id]).then((r) => r!);
const poll = async (id: string) => pollInbox(p.deps, await inboxRow(id));
const messagesOf = (inboxId: string) => p.store.all<{ direction: string; content: string; external_id: string; delivery_status: string; conversation_id: string; sender_type: string }>(
  'SELECT * FROM messages WHERE inbox_id = ? ORDER BY created_at, id', [inboxId]);
async function conversations(inboxId: string) {
  const r = await p.api.get(`/api/v1/conversations?inboxId=${inboxId}`);
  expect(r.status).toBe(200);
  return r.body.data as any[];
}
let nextUser = 2000;
const customer = (name = 'Wang Lei') => ({ id: String(++nextUser), name, username: `cust${nextUser}` });
/** A new inbox polled once after a new customer `name` wrote `text`: the customer and the conversation. */
async function polledConversation(name: string, text: string) {
  const inboxId = await createInbox();
  const who = customer(name);
  fake.customerWrites({ from: who, text });
  await poll(inboxId);
  const [conv] = await conversations(inboxId);
  return { inboxId, who, conv };
}
/** A new webhook-only inbox where a new customer `name` wrote `text`, pushed to its hook. */
async function pushedConversation(name: string, text: string) {
  const inboxId = await createInbox({ pollSeconds: 0 });
  const url = `${p.url}/webhooks/${inboxId}`;
  const who = customer(name);
  await fake.pushWebhook(url, { from: who, text });
  const [conv] = await conversations(inboxId);
  return { inboxId, url, who, conv };
}

describe('X DMs by polling', () => {
  it('polls a customer DM into a conversation with the sender as contact; the cursor stops repeats', async () => {
    const inboxId = await createInbox();
    const alice = customer('Alice Chen');
    fake.customerWrites({ from: alice, text: 'My transfer failed twice' });
    fake.customerWrites({ from: alice, text: '转账失败了' });
    expect(await poll(inboxId)).toEqual({ ingested: 2 });

    const convs = await conversations(inboxId);
    expect(convs).toHaveLength(1);
    expect(convs[0]).toMatchObject({ channel: 'twitter', status: 'open', unreadCount: 2, contact: { name: 'Alice Chen' }, lastMessage: { content: '转账失败了', direction: 'in' } });
    const ident = await p.store.get('SELECT * FROM contact_identities WHERE inbox_id = ?', [inboxId]);
    expect(ident).toMatchObject({ external_id: alice.id, handle: alice.username });
    const conv = await p.store.get('SELECT thread_key FROM conversations WHERE id = ?', [convs[0].id]);
    expect(conv!.thread_key).toBe(`${fake.ownerId}-${alice.id}`.split('-').sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).join('-'));

    const q = fake.requests.filter((r) => r.path === '/2/dm_events').at(-1)!.query;
    expect(q['dm_event.fields']).toBe('id,text,event_type,created_at,sender_id,dm_conversation_id,attachments');
    expect(q.event_types).toBe('MessageCreate');

    expect(await poll(inboxId)).toEqual({ ingested: 0 });
    const cursor = await p.store.get<{ cursor: string }>("SELECT cursor FROM connector_cursors WHERE inbox_id = ? AND name = 'default'", [inboxId]);
    expect(cursor!.cursor).toBe(fake.events.at(-1)!.id);
    fake.customerWrites({ from: alice, text: 'still waiting' });
    expect(await poll(inboxId)).toEqual({ ingested: 1 });
    expect((await messagesOf(inboxId)).map((m) => m.content)).toEqual(['My transfer failed twice', '转账失败了', 'still waiting']);
  });

  it('takes only the newest page on the first poll, then walks a longer gap down page by page to the cursor', async () => {
    const bob = customer('Bob');
    for (let i = 0; i < 130; i++) fake.customerWrites({ from: bob, text: `old ${i}` });
    const inboxId = await createInbox();
    const first = await poll(inboxId);
    expect(first!.ingested).toBe(100);
    for (let i = 0; i < 150; i++) fake.customerWrites({ from: bob, text: `new ${i}` });
    const before = fake.requests.length;
    // One page per poll, each stored with its cursor: the platform says there is more.
    expect(await poll(inboxId)).toEqual({ ingested: 100, more: true });
    const walking = JSON.parse((await p.store.get<{ cursor: string }>('SELECT cursor FROM connector_cursors WHERE inbox_id = ?', [inboxId]))!.cursor);
    expect(walking).toMatchObject({ token: expect.any(String), top: fake.events.at(-1)!.id });
    expect(await poll(inboxId)).toEqual({ ingested: 50 });
    const pages = fake.requests.slice(before).filter((r) => r.path === '/2/dm_events');
    expect(pages).toHaveLength(2);
    expect(pages[1].query.pagination_token).toBeTruthy();
    // The newer page is stored first; by X's ids (and times, to the millisecond) all are in order.
    const mine = (await messagesOf(inboxId)).filter((m) => m.content.startsWith('new ')).sort((a, b) => (BigInt(a.external_id) < BigInt(b.external_id) ? -1 : 1));
    expect(mine.map((m) => m.content)).toEqual(Array.from({ length: 150 }, (_, i) => `new ${i}`));
    // Caught up: the next poll starts from the newest again and finds nothing new.
    expect((await p.store.get<{ cursor: string }>('SELECT cursor FROM connector_cursors WHERE inbox_id = ?', [inboxId]))!.cursor).toBe(fake.events.at(-1)!.id);
    fake.customerWrites({ from: bob, text: 'after the gap' });
    expect(await poll(inboxId)).toEqual({ ingested: 1 });
  });

  it('a reply goes out with sendDmToParticipant; its echo in the next poll is not stored again', async () => {
    const { inboxId, who: carol, conv } = await polledConversation('Carol', 'Account locked');
    const reply = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'We unlocked it, please try again' });
    expect(reply.status).toBe(201);
    const sendsBefore = fake.sends.length;
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.sends).toHaveLength(sendsBefore + 1);
    const sent = fake.sends.at(-1)!;
    expect(sent).toMatchObject({ participantId: carol.id, body: { text: 'We unlocked it, please try again' } });
    expect(sent.authorization).toMatch(/^OAuth /);
    const out = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    expect(out).toMatchObject({ delivery_status: 'sent', external_id: sent.eventId });

    expect(await poll(inboxId)).toEqual({ ingested: 0 });
    expect((await messagesOf(inboxId)).map((m) => [m.direction, m.content])).toEqual([['in', 'Account locked'], ['out', 'We unlocked it, please try again']]);
  });

  it('our own DM sent from X itself is stored as outbound (echo), never as a customer message', async () => {
    const inboxId = await createInbox();
    const dan = customer('Dan');
    fake.customerWrites({ from: dan, text: 'Card will not bind' });
    await poll(inboxId);
    fake.ownerWrites({ to: dan.id, text: 'Answered from the phone app' });
    expect(await poll(inboxId)).toEqual({ ingested: 1 });
    const msgs = await messagesOf(inboxId);
    expect(msgs.map((m) => [m.direction, m.sender_type, m.content])).toEqual([['in', 'contact', 'Card will not bind'], ['out', 'user', 'Answered from the phone app']]);
    const [conv] = await conversations(inboxId);
    expect(conv).toMatchObject({ unreadCount: 1, messageCount: 2 });
    expect(conv.firstReplyAt).not.toBeNull();
    const contacts = await p.store.all('SELECT * FROM contact_identities WHERE inbox_id = ?', [inboxId]);
    expect(contacts.map((c) => c.external_id)).toEqual([dan.id]);
  });

  it('a 429 on send waits until x-rate-limit-reset, then sends exactly once', async () => {
    const { inboxId, conv } = await polledConversation('Erin', 'No confirmation email');
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Resent it' });
    const sendsBefore = fake.sends.length;
    fake.failNext(1, 429, { route: 'send', resetInSeconds: 300 });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, retried: 1 });
    const row = await p.store.get<{ next_attempt_at: number; last_error: string }>('SELECT * FROM outbox WHERE inbox_id = ?', [inboxId]);
    expect(row!.next_attempt_at - clock.now()).toBeGreaterThan(250_000);
    expect(row!.last_error).toMatch(/rate limit/);
    await expectHeldThenSentOnce(p.deps, clock, 60_000, 250_000);
    expect(fake.sends.length - sendsBefore).toBe(1);
  });

  it('a 403 on send fails the reply for good', async () => {
    const { inboxId, conv } = await polledConversation('Fay', 'hi');
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'hello' });
    fake.failNext(1, 403, { route: 'send' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, failed: 1 });
    const out = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    expect(out.delivery_status).toBe('failed');
  });

  it('a 429 on dm_events postpones the next poll until the reset, not a short backoff', async () => {
    const inboxId = await createInbox({ pollSeconds: 30 });
    fake.failNext(1, 429, { route: 'poll', resetInSeconds: 900 });
    expect(await poll(inboxId)).toBeNull();
    const row = await inboxRow(inboxId);
    expect(row.health).toBe('needs_attention');
    expect(row.health_error).toMatch(/rate limit/);
    expect((row.next_poll_at as number) - clock.now()).toBeGreaterThan(850_000);
  });

  it('fetchProfile reads name and username from the users lookup', async () => {
    const gus = customer('Gus Li');
    fake.customerWrites({ from: gus, text: 'x' });
    const config = twitter.config.parse(fake.inboxConfig());
    expect(await twitter.fetchProfile!(config, gus.id)).toEqual({ name: 'Gus Li', handle: gus.username });
    expect(await twitter.fetchProfile!(config, '999999')).toBeNull();
  });
});

describe('X Account Activity webhook', () => {
  it('answers the CRC with sha256=base64 HMAC-SHA256(consumer secret, crc_token)', async () => {
    const inboxId = await createInbox();
    const r = await fake.crc(`${p.url}/webhooks/${inboxId}`, 'crc-token-123');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ response_token: r.expected });
    expect(r.expected).toMatch(/^sha256=[A-Za-z0-9+/]+=*$/);
  });

  it('a signed DM event opens a conversation; the same delivery 3 times is stored once', async () => {
    const inboxId = await createInbox({ pollSeconds: 0 });
    const hana = customer('Hana');
    const url = `${p.url}/webhooks/${inboxId}`;
    const first = await fake.pushWebhook(url, { from: hana, text: 'Payment stuck in pending' });
    expect(first.status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await fake.pushWebhook(url, { body: first.payload })).status).toBe(200);
    const msgs = await messagesOf(inboxId);
    expect(msgs.map((m) => [m.direction, m.content])).toEqual([['in', 'Payment stuck in pending']]);
    const convs = await conversations(inboxId);
    expect(convs).toHaveLength(1);
    expect(convs[0].contact.name).toBe('Hana');
    // Webhook and polling agree on the thread key and the event id: a poll adds nothing.
    expect(await poll(inboxId)).toEqual({ ingested: 0 });
    const conv = await p.store.get('SELECT thread_key FROM conversations WHERE id = ?', [convs[0].id]);
    expect(conv!.thread_key).toBe(fake.events.at(-1)!.dm_conversation_id);
  });

  it('a bad or missing signature is refused with 401 and nothing is stored', async () => {
    const inboxId = await createInbox();
    const url = `${p.url}/webhooks/${inboxId}`;
    const bad = await fake.pushWebhook(url, { from: customer(), text: 'forged' }, { signature: 'sha256=AAAA' });
    expect(bad.status).toBe(401);
    const missing = await fake.pushWebhook(url, { from: customer(), text: 'unsigned' }, { signature: null });
    expect(missing.status).toBe(401);
    // Signed with another secret.
    const other = await fake.pushWebhook(url, { body: bad.payload }, { signature: (await fake.crc(url, 'x')).expected.replace(/.{4}$/, 'AAA=') });
    expect(other.status).toBe(401);
    expect(await messagesOf(inboxId)).toEqual([]);
    expect(await p.store.all('SELECT * FROM contact_identities WHERE inbox_id = ?', [inboxId])).toEqual([]);
  });

  it('our own DM in the webhook stream is stored as outbound, not as a customer message', async () => {
    const inboxId = await createInbox({ pollSeconds: 0 });
    const url = `${p.url}/webhooks/${inboxId}`;
    const ivy = customer('Ivy');
    await fake.pushWebhook(url, { from: ivy, text: 'Where is my refund?' });
    const ours = fake.ownerWrites({ to: ivy.id, text: 'Refund sent today' });
    const body = {
      for_user_id: fake.ownerId,
      direct_message_events: [{ type: 'message_create', id: ours.id, created_timestamp: String(Date.parse(ours.created_at)),
        message_create: { target: { recipient_id: ivy.id }, sender_id: fake.ownerId, message_data: { text: ours.text } } }],
      users: { [ivy.id]: { id: ivy.id, name: 'Ivy', screen_name: ivy.username } },
    };
    expect((await fake.pushWebhook(url, { body: JSON.stringify(body) })).status).toBe(200);
    const msgs = await messagesOf(inboxId);
    expect(msgs.map((m) => [m.direction, m.sender_type, m.content])).toEqual([['in', 'contact', 'Where is my refund?'], ['out', 'user', 'Refund sent today']]);
    expect(new Set(msgs.map((m) => m.conversation_id)).size).toBe(1);
    const [conv] = await conversations(inboxId);
    expect(conv).toMatchObject({ unreadCount: 1 });
  });

  it('an echo that overtakes the send answer does not make the reply go out twice', async () => {
    const { inboxId, url, conv } = await pushedConversation('Jin', 'Is my account unlocked?');
    fake.echoTo(url);
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Yes, unlocked' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    clock.advance(60 * 60_000);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
    expect(fake.sends.map((x) => x.text)).toEqual(['Yes, unlocked']);
    const outs = (await messagesOf(inboxId)).filter((m) => m.direction === 'out');
    expect(outs.every((m) => m.delivery_status === 'sent')).toBe(true);
    expect(outs.map((m) => m.external_id)).toContain(fake.sends[0].eventId);
    // Our queued reply adopted the echo's id: the thread shows it once.
    expect(outs.filter((m) => m.content === 'Yes, unlocked')).toHaveLength(1);
  });

  it('a mark-read event moves our replies in that thread to read; a malformed DM event is skipped, its sibling stored', async () => {
    const { inboxId, url, who: kim, conv } = await pushedConversation('Kim', 'Card declined');
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Try again now' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    const ours = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    const later = fake.ownerWrites({ to: kim.id, text: 'unused' });
    const body = {
      for_user_id: fake.ownerId,
      direct_message_mark_read_events: [{ created_timestamp: String(clock.now()), sender_id: kim.id, target: { recipient_id: fake.ownerId }, last_read_event_id: ours.external_id }],
      direct_message_events: [
        { type: 'message_create', id: 'broken-1', message_create: { target: {}, message_data: { text: 'no sender' } } },
        { type: 'message_create', id: `${later.id}9`, created_timestamp: String(clock.now()), message_create: { target: { recipient_id: fake.ownerId }, sender_id: kim.id, message_data: { text: 'It worked, thanks' } } },
      ],
    };
    expect((await fake.pushWebhook(url, { body: JSON.stringify(body) })).status).toBe(200);
    const msgs = await messagesOf(inboxId);
    expect(msgs.find((m) => m.external_id === ours.external_id)!.delivery_status).toBe('read');
    expect(msgs.map((m) => m.content)).toContain('It worked, thanks');
    const skips = (await p.api.get(`/api/v1/inboxes/${inboxId}`)).body.webhookSkipped;
    expect(skips.map((x: any) => x.type)).toEqual(['direct_message']);
  });

  it('events for another subscribed account are ignored', async () => {
    const inboxId = await createInbox({ userId: '42' });
    const r = await fake.pushWebhook(`${p.url}/webhooks/${inboxId}`, { from: customer(), text: 'for the other account' });
    expect(r.status).toBe(200);
    expect(await messagesOf(inboxId)).toEqual([]);
  });
});
