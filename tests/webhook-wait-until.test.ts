// The connector's follow-up call after a webhook (Telegram: answerCallbackQuery for a button
// press) is handed to the request's execution context where there is one (Workers' waitUntil,
// which otherwise may cut it off after the response), and runs on by itself where there is none (Node).
import { describe, expect, it } from 'vitest';
import { startTelegramFake } from '../connectors/telegram/fake.js';
import { webhookRoutes } from '../src/api/webhooks.js';
import { eventually } from './helpers/runtimes.js';
import { channelFixtures } from './helpers/channel.js';

const SECRET = 'tg-secret-token-0123456789';
const ana = { id: 92001, first_name: 'Ana' };

describe('webhook follow-up calls', () => {
  const { fake, p, ch } = channelFixtures(async () => {
    const f = await startTelegramFake();
    f.slow('answerCallbackQuery', 300);
    return f;
  }, 'telegram', 'Bot', (f) => f.inboxConfig({ mode: 'webhook', secretToken: SECRET }));

  const press = async (data: string) => (await fake.pressButton({ from: ana, messageId: 1, buttons: [{ text: data, callback_data: data }], data })).update;
  const post = (update: unknown) => new Request(`http://parley.test/${ch.inboxId}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(update),
  });

  it('runs inside waitUntil when the request has an execution context (Workers)', async () => {
    const update = await press('yes');
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (q: Promise<unknown>) => { waited.push(q); }, passThroughOnException() {}, props: {} };
    const res = await webhookRoutes(p.deps).fetch(post(update), {}, ctx);
    expect(res.status).toBe(200);
    expect(waited).toHaveLength(1);
    expect(fake.answeredCallbacks).not.toContain((update.callback_query as { id: string }).id);
    await Promise.all(waited);
    expect(fake.answeredCallbacks).toContain((update.callback_query as { id: string }).id);
  });

  it('runs on by itself without one (Node)', async () => {
    const update = await press('no');
    const res = await webhookRoutes(p.deps).fetch(post(update));
    expect(res.status).toBe(200);
    expect(await eventually(async () => fake.answeredCallbacks.includes((update.callback_query as { id: string }).id))).toBe(true);
  });
});
