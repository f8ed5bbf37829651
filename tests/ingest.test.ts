import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '../connectors/types.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { fixture } from './helpers/fixture.js';
import { directInbox, startTestParley } from './helpers/parley.js';
import { inboundMessage } from './helpers/inbound.js';

const p = fixture(() => startTestParley());
const inbox = fixture(() => directInbox(p, 'Direct'));

const msg = (externalId: string, threadKey: string, text: string, extra: Partial<InboundEvent> = {}): InboundEvent => ({
  ...inboundMessage({ externalId, threadKey, text, sender: { externalId: `cust-${threadKey}`, name: `Customer ${threadKey}` } }), ...extra,
} as InboundEvent);

async function conversationsOf(threadKey: string) {
  return p.store.all<any>('SELECT * FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inbox.id, threadKey]);
}

describe('ingest', () => {
  it('stores each message once however often the same events are replayed', async () => {
    const events = [msg('m1', 't1', 'hello'), msg('m2', 't1', '你好'), msg('m3', 't2', 'other thread')];
    for (let i = 0; i < 5; i++) await ingest(p.deps, inbox, events);
    // Also replayed inside one batch.
    await ingest(p.deps, inbox, [msg('m1', 't1', 'hello'), msg('m1', 't1', 'hello')]);
    const count = await p.store.get<any>("SELECT count(*) AS n FROM messages WHERE inbox_id = ? AND external_id IN ('m1','m2','m3')", [inbox.id]);
    expect(count.n).toBe(3);
    const [t1] = await conversationsOf('t1');
    expect(t1).toMatchObject({ message_count: 2, unread_count: 2, status: 'open' });
    const contacts = await p.store.get<any>("SELECT count(*) AS n FROM contact_identities WHERE inbox_id = ? AND external_id IN ('cust-t1','cust-t2')", [inbox.id]);
    expect(contacts.n).toBe(2);
    // Indexed for search exactly once too.
    const fts = await p.store.get<any>(`SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH '"other thread"'`);
    expect(fts.n).toBe(1);
  });

  it('reopens a resolved conversation when the customer writes again', async () => {
    await ingest(p.deps, inbox, [msg('r1', 'reopen', 'first')]);
    const [c] = await conversationsOf('reopen');
    const resolved = await p.api.post(`/api/v1/conversations/${c.id}/status`, { status: 'resolved' });
    expect(resolved.body.status).toBe('resolved');
    // A replay of the old message does not reopen it...
    await ingest(p.deps, inbox, [msg('r1', 'reopen', 'first')]);
    expect((await p.api.get(`/api/v1/conversations/${c.id}`)).body.status).toBe('resolved');
    // ...a new one does, in the same conversation.
    await ingest(p.deps, inbox, [msg('r2', 'reopen', 'still broken')]);
    const again = await p.api.get(`/api/v1/conversations/${c.id}`);
    expect(again.body).toMatchObject({ status: 'open', resolvedAt: null, messageCount: 2 });
    expect(await conversationsOf('reopen')).toHaveLength(1);
  });

  it('threads a reply into the conversation of the message it answers', async () => {
    await ingest(p.deps, inbox, [msg('<root@x>', 'root-thread', 'question', { subject: 'Card' } as Partial<InboundEvent>)]);
    await ingest(p.deps, inbox, [msg('<reply@x>', 'some-other-key', 'more', { inReplyTo: ['<root@x>'] } as Partial<InboundEvent>)]);
    const [root] = await conversationsOf('root-thread');
    expect(root.subject).toBe('Card');
    expect(await conversationsOf('some-other-key')).toHaveLength(0);
    const n = await p.store.get<any>('SELECT count(*) AS n FROM messages WHERE conversation_id = ?', [root.id]);
    expect(n.n).toBe(2);
  });

  it('never opens a conversation for automated mail, but files it on an existing thread', async () => {
    await ingest(p.deps, inbox, [msg('auto1', 'auto-new', 'Out of office', { automated: true } as Partial<InboundEvent>)]);
    expect(await conversationsOf('auto-new')).toHaveLength(0);
    await ingest(p.deps, inbox, [msg('a1', 'auto-old', 'real question')]);
    await ingest(p.deps, inbox, [msg('auto2', 'auto-old', 'Out of office', { automated: true } as Partial<InboundEvent>)]);
    const [c] = await conversationsOf('auto-old');
    expect(c.message_count).toBe(2);
  });

  it('stores echoes of our own messages as outbound replies, not customer messages', async () => {
    await ingest(p.deps, inbox, [msg('e1', 'echo', 'hi'), { ...msg('e2', 'echo', 'sent from the phone app'), kind: 'echo' } as InboundEvent]);
    const [c] = await conversationsOf('echo');
    const rows = await p.store.all<any>('SELECT direction, sender_type, delivery_status FROM messages WHERE conversation_id = ? ORDER BY created_at, id', [c.id]);
    expect(rows).toEqual([
      { direction: 'in', sender_type: 'contact', delivery_status: 'received' },
      { direction: 'out', sender_type: 'user', delivery_status: 'sent' },
    ]);
    expect(c.waiting_since).toBeNull();
    expect(c.first_reply_at).not.toBeNull();
  });

  it('saves the poll cursor in the same unit as the messages', async () => {
    await ingest(p.deps, inbox, [msg('c1', 'cur', 'x')], { cursor: { value: 'page-2' } });
    const row = await p.store.get<any>("SELECT cursor FROM connector_cursors WHERE inbox_id = ? AND name = 'default'", [inbox.id]);
    expect(row.cursor).toBe('page-2');
  });

  it('moves delivery status forward only', async () => {
    await ingest(p.deps, inbox, [msg('s0', 'status', 'hi')]);
    const [c] = await conversationsOf('status');
    const reply = await p.api.post(`/api/v1/conversations/${c.id}/messages`, { content: 'answer' });
    await p.store.run("UPDATE messages SET delivery_status = 'sent', external_id = 'plat-1' WHERE id = ?", [reply.body.id]);
    await ingest(p.deps, inbox, [{ kind: 'status', externalId: 'plat-1', status: 'read', at: Date.now() }]);
    await ingest(p.deps, inbox, [{ kind: 'status', externalId: 'plat-1', status: 'delivered', at: Date.now() }]);
    const m = await p.store.get<any>('SELECT delivery_status FROM messages WHERE id = ?', [reply.body.id]);
    expect(m.delivery_status).toBe('read');
  });
});

describe('ingest: automated mail and early echoes', () => {
  it('an auto-reply on a resolved thread does not reopen it, count as unread or start a wait', async () => {
    await ingest(p.deps, inbox, [msg('ar1', 'ooo', 'my card was charged twice')]);
    const [c] = await conversationsOf('ooo');
    await p.api.post(`/api/v1/conversations/${c.id}/messages`, { content: 'Refunded.' });
    await p.api.post(`/api/v1/conversations/${c.id}/status`, { status: 'resolved' });
    await ingest(p.deps, inbox, [msg('ar2', 'ooo', 'I am out of office until Monday', { automated: true } as Partial<InboundEvent>)]);
    const after = await p.api.get(`/api/v1/conversations/${c.id}`);
    expect(after.body).toMatchObject({ status: 'resolved', unreadCount: 0, waitingSince: null, messageCount: 3 });
    const thread = await p.api.get(`/api/v1/conversations/${c.id}/messages`);
    expect(thread.body.data.at(-1)).toMatchObject({ content: 'I am out of office until Monday', automated: true });
  });

  it('an echo that overtakes the send answer is adopted by our queued reply, not stored twice', async () => {
    await ingest(p.deps, inbox, [msg('q1', 'early-echo', 'hello')]);
    const [c] = await conversationsOf('early-echo');
    const reply = await p.api.post(`/api/v1/conversations/${c.id}/messages`, { content: 'We are on it' });
    // The platform's echo of that reply arrives while it is still queued.
    await ingest(p.deps, inbox, [{ ...msg('plat-77', 'early-echo', 'We are on it'), kind: 'echo' } as InboundEvent]);
    const thread = (await p.api.get(`/api/v1/conversations/${c.id}/messages`)).body.data;
    expect(thread.map((m: any) => m.content)).toEqual(['hello', 'We are on it']);
    expect(thread[1]).toMatchObject({ id: reply.body.id, externalId: 'plat-77', deliveryStatus: 'queued' });
    expect((await p.api.get(`/api/v1/conversations/${c.id}`)).body.messageCount).toBe(2);
  });
});
