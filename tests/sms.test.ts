// SMS end to end against the fake Twilio-style provider on loopback.
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { twilioSignature } from '../connectors/sms/index.js';
import { startSmsFake, type SmsFake } from '../connectors/sms/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { fixture } from './helpers/fixture.js';
import { expectRateLimitedReplySentOnce } from './helpers/outbox.js';
import { startTestParley } from './helpers/parley.js';
import { createInbox as createInboxVia } from './helpers/inboxes.js';

const PUBLIC = 'https://support.parley.example';
const clock = manualClock(Date.now());
const p = fixture(() => startTestParley({ clock, publicUrl: PUBLIC }));
let fake: SmsFake;
beforeEach(async () => { clock.set(Date.now()); fake = await startSmsFake(); });
afterEach(() => fake.close());

async function createInbox(extra: Record<string, unknown> = {}) {
  return (await createInboxVia(p.api, 'sms', fake.inboxConfig(extra as never))).id;
}
const messagesOf = (inboxId: string) => p.store.all<{ direction: string; content: string; external_id: string; delivery_status: string; error: string | null }>(
  'SELECT * FROM messages WHERE inbox_id = ? ORDER BY created_at, id', [inboxId]);
const conversations = async (inboxId: string) => (await p.api.get(`/api/v1/conversations?inboxId=${inboxId}`)).body.data as any[];

describe('X-Twilio-Signature', () => {
  it('matches Twilio\'s documented example and an independent HMAC-SHA1', async () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(await twilioSignature('12345', url, Object.entries(params))).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    const data = url + Object.keys(params).sort().map((k) => k + params[k as keyof typeof params]).join('');
    expect(await twilioSignature('12345', url, Object.entries(params).reverse())).toBe(createHmac('sha1', '12345').update(data).digest('base64'));
  });
});

describe('SMS inbound', () => {
  it('a signed text opens a conversation with the sender\'s number, and gets empty TwiML back', async () => {
    const inboxId = await createInbox();
    const url = `${p.url}/webhooks/${inboxId}`;
    const r = await fake.customerTexts(url, { from: '+8613800138000', body: '转账失败，钱扣了但没到账' });
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/xml/);
    expect(r.body).toContain('<Response/>');
    const [conv] = await conversations(inboxId);
    expect(conv).toMatchObject({ channel: 'sms', unreadCount: 1, lastMessage: { content: '转账失败，钱扣了但没到账', direction: 'in' } });
    const contact = await p.store.get('SELECT ct.phone, ci.external_id FROM contacts ct JOIN contact_identities ci ON ci.contact_id = ct.id WHERE ci.inbox_id = ?', [inboxId]);
    expect(contact).toEqual({ phone: '+8613800138000', external_id: '+8613800138000' });
    const row = await p.store.get('SELECT thread_key FROM conversations WHERE id = ?', [conv.id]);
    expect(row!.thread_key).toBe('+8613800138000');
    expect((await messagesOf(inboxId))[0].external_id).toBe(r.params.MessageSid);
  });

  it('accepts a signature made over the public URL (Parley behind a proxy)', async () => {
    const inboxId = await createInbox();
    const r = await fake.customerTexts(`${p.url}/webhooks/${inboxId}`, { from: '+14155550101', body: 'locked out' }, { signedUrl: `${PUBLIC}/webhooks/${inboxId}` });
    expect(r.status).toBe(200);
    expect((await messagesOf(inboxId)).map((m) => m.content)).toEqual(['locked out']);
  });

  it('the same webhook delivered 3 times is stored once', async () => {
    const inboxId = await createInbox();
    const url = `${p.url}/webhooks/${inboxId}`;
    const first = await fake.customerTexts(url, { from: '+14155550102', body: 'card will not bind' });
    for (let i = 0; i < 2; i++) expect((await fake.post(url, first.params)).status).toBe(200);
    expect((await messagesOf(inboxId)).map((m) => m.content)).toEqual(['card will not bind']);
  });

  it('a bad, missing or wrongly keyed signature is refused with 401 and nothing is stored', async () => {
    const inboxId = await createInbox();
    const url = `${p.url}/webhooks/${inboxId}`;
    const bad = await fake.customerTexts(url, { from: '+14155550103', body: 'forged' }, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
    expect(bad.status).toBe(401);
    expect((await fake.customerTexts(url, { from: '+14155550103', body: 'unsigned' }, { signature: null })).status).toBe(401);
    const otherKey = await twilioSignature('another-auth-token-xxxx', url, Object.entries(bad.params));
    expect((await fake.post(url, bad.params, { signature: otherKey })).status).toBe(401);
    // Signed, then tampered with.
    const sig = await twilioSignature(fake.authToken, url, Object.entries(bad.params));
    expect((await fake.post(url, { ...bad.params, Body: 'tampered' }, { signature: sig })).status).toBe(401);
    expect(await messagesOf(inboxId)).toEqual([]);
  });
});

describe('SMS replies', () => {
  async function conversation(extra: Record<string, unknown> = {}) {
    const inboxId = await createInbox(extra);
    await fake.customerTexts(`${p.url}/webhooks/${inboxId}`, { from: '+8613900139000', body: 'no confirmation code' });
    const [conv] = await conversations(inboxId);
    return { inboxId, conv };
  }

  it('a reply is POSTed to Messages.json with To, From, Body and basic auth; the sid becomes its id', async () => {
    const statusUrl = `${PUBLIC}/webhooks/status-here`;
    const { inboxId, conv } = await conversation({ statusCallbackUrl: statusUrl });
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'Code resent, valid for 10 minutes' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.sends).toHaveLength(1);
    const s = fake.sends[0];
    expect(s).toMatchObject({ to: '+8613900139000', from: fake.number, body: 'Code resent, valid for 10 minutes' });
    expect(s.form.StatusCallback).toBe(statusUrl);
    expect(s.authorization).toBe(`Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`);
    const out = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    expect(out).toMatchObject({ delivery_status: 'sent', external_id: s.sid });

    // Status callbacks move the delivery status forward.
    const url = `${p.url}/webhooks/${inboxId}`;
    expect((await fake.reportStatus(url, s.sid, 'sending')).status).toBe(200);
    expect((await messagesOf(inboxId)).find((m) => m.direction === 'out')!.delivery_status).toBe('sent');
    expect((await fake.reportStatus(url, s.sid, 'delivered')).status).toBe(200);
    expect((await messagesOf(inboxId)).find((m) => m.direction === 'out')!.delivery_status).toBe('delivered');
    expect((await fake.reportStatus(url, s.sid, 'sent')).status).toBe(200);
    expect((await messagesOf(inboxId)).find((m) => m.direction === 'out')!.delivery_status).toBe('delivered');
    // An unsigned status callback changes nothing.
    expect((await fake.post(url, { MessageSid: s.sid, MessageStatus: 'failed' }, { signature: null })).status).toBe(401);
    expect((await messagesOf(inboxId)).find((m) => m.direction === 'out')!.delivery_status).toBe('delivered');
  });

  it('an undelivered status marks the reply failed with the provider\'s error code', async () => {
    const { inboxId, conv } = await conversation();
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'hello' });
    await deliverDueOutbox(p.deps);
    await fake.reportStatus(`${p.url}/webhooks/${inboxId}`, fake.sends[0].sid, 'undelivered', '30006');
    const out = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    expect(out).toMatchObject({ delivery_status: 'failed', error: 'Error 30006' });
  });

  it('a 429 then success sends exactly once, after Retry-After', async () => {
    const { conv } = await conversation();
    await expectRateLimitedReplySentOnce(p, clock, conv.id, 'try again now', () => fake.failNext(1, 429, { retryAfter: 90 }), 60_000, 31_000);
    expect(fake.sends.map((s) => s.body)).toEqual(['try again now']);
  });

  it('a 5xx is retried; a 400 (invalid number) fails for good', async () => {
    const { inboxId, conv } = await conversation();
    await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: 'one' });
    fake.failNext(1, 503);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ retried: 1 });
    fake.failNext(1, 400);
    clock.advance(10 * 60_000);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ failed: 1 });
    const out = (await messagesOf(inboxId)).find((m) => m.direction === 'out')!;
    expect(out.delivery_status).toBe('failed');
    expect(out.error).toMatch(/21211/);
    expect(fake.sends).toEqual([]);
  });
});
