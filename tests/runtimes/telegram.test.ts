// Signed Telegram webhooks (the secret token header) against Node and the Worker from the same
// file; the fake Bot API is hosted in Node either way. A reply goes out through the outbox (on
// the Worker: a queue message), a button press is answered after the response (on the Worker:
// inside waitUntil, so a slow answerCallbackQuery is not cut off), and an edit reaches the
// agents' live stream as message.updated.
import { describe, expect, it } from 'vitest';
import { startTelegramFake } from '../../connectors/telegram/fake.js';
import { webhookInbox } from '../helpers/channel.js';
import { fixture } from '../helpers/fixture.js';
import { conversationMessages, eventually, liveStream, replyAndWaitSent, runtimes, startRuntime } from '../helpers/runtimes.js';

const SECRET = 'tg-secret-token-0123456789';
const ana = { id: 91001, first_name: 'Ana', username: 'ana_t' };

describe.each(runtimes)('telegram on %s', (kind) => {
  const fake = fixture(startTelegramFake);
  const rt = fixture(() => startRuntime(kind), undefined, 120_000);
  const ch = fixture(async () => {
    const inbox = await webhookInbox(rt, 'telegram', 'Bot', fake.inboxConfig({ mode: 'webhook', secretToken: SECRET }));
    // What Parley's setWebhook call does: from now on the fake POSTs updates to the hook.
    const set = await fetch(`${fake.url}/bot${fake.botToken}/setWebhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: inbox.hook, secret_token: SECRET }) });
    expect(set.ok).toBe(true);
    return inbox;
  });

  const conversation = async () => (await rt.api.get(`/api/v1/conversations?inboxId=${ch.inboxId}`)).body.data[0];
  const messagesOf = (id: string) => conversationMessages(rt, id);

  it('refuses a wrong secret token with 401 and stores nothing', async () => {
    const update = { update_id: 1, message: { message_id: 1, from: { id: 5, is_bot: false, first_name: 'Eve' }, chat: { id: 5, type: 'private' }, date: 1, text: 'forged' } };
    const bad = await fake.pushWebhook(ch.hook, update, { secretToken: 'wrong-secret-0123456789' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error.code).toBe('invalid_signature');
    expect(await conversation()).toBeUndefined();
  });

  it('a signed update opens a conversation; the reply is delivered through the outbox', async () => {
    const { delivery } = await fake.customerWrites({ from: ana, text: '我的银行卡绑定不上' });
    expect(delivery!.status).toBe(200);
    const conv = await conversation();
    expect(conv).toMatchObject({ channel: 'telegram', contact: { name: 'Ana' }, lastMessage: { content: '我的银行卡绑定不上' } });
    const { sent } = await replyAndWaitSent(rt, conv.id, '请问是哪家银行？');
    expect(sent).toBeTruthy();
    expect(fake.sends.filter((s) => s.text === '请问是哪家银行？')).toEqual([expect.objectContaining({ chat_id: ana.id })]);
  });

  it('a button press is answered after the response, even when Telegram answers slowly', async () => {
    fake.slow('answerCallbackQuery', 2500);
    const r = await fake.pressButton({ from: ana, messageId: 1, buttons: [{ text: 'Billing', callback_data: 'topic:billing' }], data: 'topic:billing' });
    expect(r.delivery!.status).toBe(200);
    const answered = await eventually(async () => fake.answeredCallbacks.length > 0, 8000);
    expect(answered).toBe(true);
    expect(fake.answeredCallbacks).toEqual([(r.update.callback_query as { id: string }).id]);
  });

  it('an edit reaches the agents\' live stream as message.updated with the new text', async () => {
    const stream = await fetch(`${rt.url}/api/v1/events`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    expect(stream.status).toBe(200);
    const live = liveStream(stream);
    await live.ready;
    const { update } = await fake.customerWrites({ from: ana, text: 'order 1234' });
    const edited = await fake.edits({ from: ana, messageId: update.message!.message_id, text: 'order 1243' });
    expect(edited.delivery!.status).toBe(200);
    const events = await live.until((es) => es.some((e) => e.event === 'message.updated' && e.data.message.content === 'order 1243'));
    await live.close();
    const ev = events.find((e) => e.event === 'message.updated' && e.data.message.content === 'order 1243')!;
    const conv = await conversation();
    const stored = (await messagesOf(conv.id)).find((m) => m.content === 'order 1243');
    // The event carries the message exactly as the API shows it.
    expect(ev.data.message).toEqual(stored);
    expect(stored.edited.edits).toEqual([expect.objectContaining({ content: 'order 1234' })]);
  });
});
