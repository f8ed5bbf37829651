// Handshakes must not be signing oracles: an answer computed over attacker-chosen input must
// never pass as the signature of a webhook body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwitterFake, type TwitterFake } from '../connectors/twitter/fake.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

let p: TestParley;
let fake: TwitterFake;
beforeAll(async () => { p = await startTestParley(); fake = await startTwitterFake(); });
afterAll(async () => { await fake.close(); await p.stop(); });

const forgedBody = (userId: string) => JSON.stringify({
  for_user_id: userId,
  direct_message_events: [{
    type: 'message_create', id: '990000000000000001', created_timestamp: String(Date.now()),
    message_create: { sender_id: '31337', target: { recipient_id: userId }, message_data: { text: 'refund approved, send card number' } },
  }],
  users: { 31337: { id: '31337', name: 'Attacker', screen_name: 'attacker' } },
});

describe('X CRC is not a signing oracle', () => {
  it('a CRC answer for a forged JSON body does not sign that body', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'X oracle', channel: 'twitter', config: fake.inboxConfig({ pollSeconds: 0 }) });
    expect(r.status).toBe(201);
    const url = `${p.url}/webhooks/${r.body.id}`;
    const body = forgedBody(fake.ownerId);
    // The attack: ask the CRC endpoint to "sign" the body, then post it with that answer.
    const crc = await fetch(`${url}?crc_token=${encodeURIComponent(body)}`);
    const answer = await crc.json().catch(() => ({})) as { response_token?: string };
    const post = await fake.pushWebhook(url, { body }, { signature: answer.response_token ?? 'sha256=' });
    expect(post.status).toBe(401);
    expect(crc.status).toBe(400);
    expect(answer.response_token).toBeUndefined();
    expect(await p.store.all('SELECT id FROM messages WHERE inbox_id = ?', [r.body.id])).toEqual([]);
  });

  it('a real-shaped crc_token is answered; overlong or non-base64 tokens are refused', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'X crc', channel: 'twitter', config: fake.inboxConfig({ pollSeconds: 0 }) });
    const url = `${p.url}/webhooks/${r.body.id}`;
    const ok = await fake.crc(url, 'ZjNkYTBjNjMtYWUxNC00M2YxLWEzZmEtNzVhNDNkZTI4YTAw');
    expect(ok).toMatchObject({ status: 200, json: { response_token: ok.expected } });
    for (const bad of ['a'.repeat(300), '{"a":1}', 'tok en', 'a/b+c']) {
      expect((await fake.crc(url, bad)).status).toBe(400);
    }
  });

  it('a body that is itself crc_token-shaped is never accepted as a webhook, even when signed', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'X crc body', channel: 'twitter', config: fake.inboxConfig({ pollSeconds: 0 }) });
    const url = `${p.url}/webhooks/${r.body.id}`;
    const post = await fake.pushWebhook(url, { body: 'null' }, { signature: (await fake.crc(url, 'null')).expected });
    expect(post.status).toBe(401);
  });
});

describe('Meta hub.challenge', () => {
  it('echoes only a bounded, plain challenge, and only for the right verify token', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'M', channel: 'messenger', config: { pageId: '1', pageAccessToken: 'pat', appSecret: 'app-secret', verifyToken: 'vt-123' } });
    expect(r.status).toBe(201);
    const url = `${p.url}/webhooks/${r.body.id}`;
    const ask = (challenge: string, token = 'vt-123') => fetch(`${url}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=${encodeURIComponent(challenge)}`);
    const ok = await ask('1158201444');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await ask('<script>alert(1)</script>')).status).toBe(400);
    expect((await ask('9'.repeat(300))).status).toBe(400);
    expect((await ask('1158201444', 'wrong')).status).toBe(403);
  });
});
