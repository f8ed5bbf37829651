// The connector's follow-up call after a webhook (Telegram: answerCallbackQuery for a button
// press) is handed to the request's execution context where there is one (Workers' waitUntil,
// which otherwise may cut it off after the response), and runs on by itself where there is none (Node).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../connectors/telegram/fake.js';
import { webhookRoutes } from '../src/api/webhooks.js';
import { eventually } from './helpers/runtimes.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

const SECRET = 'tg-secret-token-0123456789';
const ana = { id: 92001, first_name: 'Ana' };

describe('webhook follow-up calls', () => {
  let p: TestParley;
  let fake: TelegramFake;
  let inboxId: string;
  beforeAll(async () => {
    p = await startTestParley();
    fake = await startTelegramFake();
    const r = await p.api.post('/api/v1/inboxes', { name: 'Bot', channel: 'telegram', config: fake.inboxConfig({ mode: 'webhook', secretToken: SECRET }) });
    inboxId = r.body.id;
    fake.slow('answerCallbackQuery', 300);
  });
  afterAll(async () => { await p?.stop(); await fake?.close(); });

  const press = async (data: string) => (await fake.pressButton({ from: ana, messageId: 1, buttons: [{ text: data, callback_data: data }], data })).update;
  const post = (update: unknown) => new Request(`http://parley.test/${inboxId}`, {
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
