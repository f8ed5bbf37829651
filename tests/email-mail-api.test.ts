// The email connector's HTTP mail API transport (Resend's shape) against its fake: what it
// sends, how failures are classified, that a retry is not sent twice, and the config rules
// (smtp or mailApi; the key only goes where it was given).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { email } from '../connectors/email/index.js';
import { startMailApiFake, type MailApiFake } from '../connectors/email/mail-api-fake.js';
import { PermanentError, RetryableError, type OutboundMessage } from '../connectors/types.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

const imap = { host: 'imap.example.test', port: 993, secure: true, user: 'support', password: 'imap-secret' };

describe('email out through a mail API', () => {
  let fake: MailApiFake;
  let p: TestParley;
  beforeAll(async () => { fake = await startMailApiFake(); p = await startTestParley(); });
  afterAll(async () => { await fake?.close(); await p?.stop(); });

  const config = (extra: Record<string, unknown> = {}) => email.config.parse({ address: 'help@acme.test', imap, apiBaseUrl: fake.url, mailApi: fake.mailApi(), ...extra });
  const msg = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
    messageId: '01JTESTMESSAGE0000000000001', conversationId: 'c1', threadKey: 't', recipient: { externalId: 'jo@customer.test', name: 'Jo' },
    text: 'Your refund is on its way', subject: 'Refund', replyToExternalId: '<b@customer.test>', threadExternalIds: ['<a@customer.test>', '<b@customer.test>'],
    attachments: [{ filename: 'receipt.txt', contentType: 'text/plain', data: new TextEncoder().encode('paid') }], ...over,
  } as OutboundMessage);

  it('sends the reply with our Message-ID, the thread headers and the files; a retry is not sent twice', async () => {
    const r = await email.send(config(), msg());
    expect(r.externalId).toMatch(/^<01jtestmessage0000000000001\.[0-9a-f]{16}@acme\.test>$/);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0].body).toEqual({
      from: 'help@acme.test', to: ['"Jo" <jo@customer.test>'], subject: 'Re: Refund', text: 'Your refund is on its way',
      headers: { 'Message-ID': r.externalId, 'In-Reply-To': '<b@customer.test>', References: '<a@customer.test> <b@customer.test>' },
      attachments: [{ filename: 'receipt.txt', content: Buffer.from('paid').toString('base64'), content_type: 'text/plain' }],
    });
    expect(fake.sent[0].idempotencyKey).toBe('01JTESTMESSAGE0000000000001');
    expect((await email.send(config(), msg())).externalId).toBe(r.externalId);
    expect(fake.sent).toHaveLength(1);
  });

  it('honours the Reply-To of the customer\'s latest mail like SMTP does (tests/email-reply-to.test.ts)', async () => {
    const before = fake.sent.length;
    await email.send(config(), msg({ messageId: '01JTESTMESSAGE0000000000009', replyToMeta: { email: { from: 'jo@customer.test', replyTo: ['Office@Customer.test'] } } }));
    expect(fake.sent[before].body).toMatchObject({ to: ['office@customer.test'] });
  });

  it('a rate limit or a provider error may pass (retryable); a refused key or message will not', async () => {
    fake.failNext(1, 429);
    const limited = await email.send(config(), msg({ messageId: '01JTESTMESSAGE0000000000002' })).catch((e) => e);
    expect(limited).toBeInstanceOf(RetryableError);
    expect(limited.retryAfterMs).toBe(1000);
    fake.failNext(1, 503);
    expect(await email.send(config(), msg({ messageId: '01JTESTMESSAGE0000000000003' })).catch((e) => e)).toBeInstanceOf(RetryableError);
    const refused = await email.send(config({ mailApi: { provider: 'resend', apiKey: 're_wrong' } }), msg()).catch((e) => e);
    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused.message).toMatch(/401.*apiKey/);
    expect(await email.send(config(), msg({ recipient: { externalId: 'no-address' } as never })).catch((e) => e)).toBeInstanceOf(PermanentError);
  });

  it('a private address is refused unless PARLEY_ALLOW_PRIVATE_NETWORK=1', async () => {
    const before = process.env.PARLEY_ALLOW_PRIVATE_NETWORK;
    delete process.env.PARLEY_ALLOW_PRIVATE_NETWORK;
    try {
      expect(await email.send(config(), msg({ messageId: '01JTESTMESSAGE0000000000004' })).catch((e) => e)).toBeInstanceOf(PermanentError);
    } finally { process.env.PARLEY_ALLOW_PRIVATE_NETWORK = before; }
  });

  it('an inbox needs smtp or mailApi; the key is sealed at rest and must be sent again to move apiBaseUrl', async () => {
    const none = await p.api.post('/api/v1/inboxes', { name: 'x', channel: 'email', config: { address: 'a@acme.test', imap } });
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body)).toMatch(/smtp/);
    const ok = await p.api.post('/api/v1/inboxes', { name: 'mail', channel: 'email', config: { address: 'b@acme.test', imap, apiBaseUrl: fake.url, mailApi: fake.mailApi() } });
    expect(ok.status).toBe(201);
    const row = (await p.store.get<{ config: string }>("SELECT config FROM inboxes WHERE id = ?", [ok.body.id]))!;
    expect(row.config).not.toContain(fake.apiKey);
    expect(JSON.parse(row.config).mailApi.apiKey).toMatch(/^enc:v1:/);
    const moved = await p.api.patch(`/api/v1/inboxes/${ok.body.id}`, { config: { apiBaseUrl: 'https://mail.evil.test' } });
    expect(moved.status).toBe(400);
    expect(moved.body.error.code).toBe('secrets_required');
    expect(JSON.stringify(moved.body.error)).toContain('config.mailApi.apiKey');
  });
});
