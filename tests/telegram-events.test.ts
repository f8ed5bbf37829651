// Telegram updates beyond plain text (Bot API: CallbackQuery, edited_message,
// MessageReactionUpdated, web_app_data, contact, location/venue), through the webhook of a
// real Parley from the fake Bot API, and getUpdates asking for those kinds.
import { describe, expect, it } from 'vitest';
import { setTelegramWebhook } from '../connectors/telegram/index.js';
import { startTelegramFake } from '../connectors/telegram/fake.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { channelInbox } from './helpers/channel.js';
import { fixture } from './helpers/fixture.js';
import { startTestParley } from './helpers/parley.js';

const secretToken = 'tg-secret-0123456789abcdef';
const ana = { id: 91001, first_name: 'Ana', username: 'ana_t' };
const fake = fixture(startTelegramFake);
const p = fixture(() => startTestParley());
const ch = fixture(async () => {
  const config = fake.inboxConfig({ mode: 'webhook', secretToken });
  const inbox = await channelInbox(p, 'telegram', 'TG', config);
  await setTelegramWebhook(config, inbox.hook);
  return inbox;
});

const thread = async (key: string) => ch.messagesOf((await ch.conversationOf(key)).id);
const until = async (cond: () => boolean) => { for (let k = 0; k < 100 && !cond(); k++) await new Promise((r) => setTimeout(r, 10)); };

describe('telegram events', () => {
  it('asks for edits, button presses and reactions when it sets the webhook', () => {
    expect(fake.calls.find((c) => c.method === 'setWebhook')!.body.allowed_updates).toEqual(['message', 'edited_message', 'callback_query', 'message_reaction']);
  });

  it('a pressed inline button is a customer message with the button title, the data in meta, answered with answerCallbackQuery', async () => {
    await fake.customerWrites({ from: ana, text: 'I need help' });
    const conv = await ch.conversationOf(String(ana.id));
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Pick a topic' });
    await deliverDueOutbox(p.deps);
    const r = await fake.pressButton({ from: ana, messageId: 1, buttons: [{ text: 'Billing', callback_data: 'topic:billing' }, { text: 'Shipping', callback_data: 'topic:ship' }], data: 'topic:ship' });
    expect(r.delivery!.status).toBe(200);
    const last = (await thread(String(ana.id))).at(-1);
    expect(last).toMatchObject({ direction: 'in', content: 'Shipping', meta: { callbackQuery: { data: 'topic:ship' } } });
    await until(() => fake.answeredCallbacks.length > 0);
    expect(fake.answeredCallbacks).toEqual([(r.update.callback_query as { id: string }).id]);
  });

  it('an edited message replaces the text, marks it edited and keeps the previous text', async () => {
    const { update } = await fake.customerWrites({ from: ana, text: 'my order is 1234' });
    const id = update.message!.message_id;
    expect((await fake.edits({ from: ana, messageId: id, text: 'my order is 1243' })).delivery!.status).toBe(200);
    const m = (await thread(String(ana.id))).find((x) => x.externalId === `${ana.id}:${id}`);
    expect(m).toMatchObject({ content: 'my order is 1243', edited: { edits: [{ content: 'my order is 1234' }] } });
  });

  it('a reaction attaches to the message; an empty new_reaction removes it', async () => {
    const { update } = await fake.customerWrites({ from: ana, text: 'react to me' });
    const id = update.message!.message_id;
    const before = await ch.conversationOf(String(ana.id));
    await fake.reacts({ from: ana, messageId: id, emoji: '👍' });
    const find = async () => (await thread(String(ana.id))).find((x) => x.externalId === `${ana.id}:${id}`);
    expect((await find()).reactions).toEqual([{ emoji: '👍', by: String(ana.id) }]);
    expect((await ch.conversationOf(String(ana.id))).messageCount).toBe(before.messageCount);
    await fake.reacts({ from: ana, messageId: id, emoji: null });
    expect((await find()).reactions).toBeUndefined();
  });

  it('updates without from.is_bot (Bot API samples), web_app_data, contacts and venues are stored readably', async () => {
    const chat = { id: 91002, type: 'private', first_name: 'Bo' };
    const from = { id: 91002, first_name: 'Bo' };
    const post = (update: unknown) => fake.pushWebhook(ch.hook, update as never);
    expect((await post({ update_id: 1, message: { message_id: 1, from, chat, date: 1441645532, text: '/start' } })).status).toBe(200);
    await post({ update_id: 2, message: { message_id: 2, from, chat, date: 1441645533, web_app_data: { data: '{"size":"M"}', button_text: 'Choose size' } } });
    await post({ update_id: 3, message: { message_id: 3, from, chat, date: 1441645534, contact: { phone_number: '+4915112345678', first_name: 'Kai' } } });
    await post({ update_id: 4, message: { message_id: 4, from, chat, date: 1441645535, location: { latitude: 52.52, longitude: 13.405 }, venue: { location: { latitude: 52.52, longitude: 13.405 }, title: 'Alexanderplatz', address: 'Berlin' } } });
    const list = await thread('91002');
    expect(list.map((x) => x.content)).toEqual([
      '/start',
      'Choose size: {"size":"M"}',
      '👤 Kai +4915112345678',
      '📍 Alexanderplatz, Berlin: 52.52, 13.405 https://www.google.com/maps/search/?api=1&query=52.52,13.405',
    ]);
    expect(list[1].meta.webAppData).toEqual({ data: '{"size":"M"}', buttonText: 'Choose size' });
  });

  it('an update kind Parley does not use, or a malformed one, is answered 200 and counted', async () => {
    expect((await fake.pushWebhook(ch.hook, { update_id: 10, poll: { id: 'p1', question: 'Q?' } } as never)).status).toBe(200);
    expect((await fake.pushWebhook(ch.hook, { update_id: 11, message: { message_id: 'x', chat: {} } } as never)).status).toBe(200);
    const skips = (await p.api.get(`/api/v1/inboxes/${ch.inboxId}`)).body.webhookSkipped;
    expect(skips.map((s: any) => s.type).sort()).toEqual(['update.message', 'update.poll']);
  });

  it('polling asks for the same kinds and answers button presses too', async () => {
    const pollFake = await startTelegramFake();
    try {
      const inbox = await channelInbox(p, 'telegram', 'TG poll', pollFake.inboxConfig());
      await pollFake.customerWrites({ from: ana, text: 'hi' });
      await pollFake.pressButton({ from: ana, messageId: 1, buttons: [{ text: 'Yes', callback_data: 'y' }], data: 'y' });
      await pollInbox(p.deps, (await p.store.get('SELECT * FROM inboxes WHERE id = ?', [inbox.inboxId]))!);
      expect(pollFake.calls.find((c) => c.method === 'getUpdates')!.body.allowed_updates).toEqual(['message', 'edited_message', 'callback_query', 'message_reaction']);
      await until(() => pollFake.answeredCallbacks.length > 0);
      expect(pollFake.answeredCallbacks).toHaveLength(1);
      expect((await inbox.messagesOf((await inbox.conversationOf(String(ana.id))).id)).map((x) => x.content)).toEqual(['hi', 'Yes']);
    } finally {
      await pollFake.close();
    }
  });
});
