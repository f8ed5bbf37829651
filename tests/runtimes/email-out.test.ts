// Email out through an HTTP mail API (Resend's shape; the fake is hosted in Node), against Node
// and the Worker from the same file: an email inbox with `mailApi` instead of SMTP, a web chat
// customer continued on email, the reply delivered through the outbox (on the Worker: a queue
// message) with our Message-ID and an idempotency key. (The Worker's own email conversations,
// routed in by Email Routing and answered the same way: worker-email.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailApiFake, type MailApiFake } from '../../connectors/email/mail-api-fake.js';
import { apiClient } from '../helpers/parley.js';
import { eventually, runtimes, startRuntime, type Runtime } from '../helpers/runtimes.js';

describe.each(runtimes)('email out through a mail API on %s', (kind) => {
  let rt: Runtime;
  let mail: MailApiFake;
  let chat: { id: string; webchatToken: string };
  let emailInbox: string;

  beforeAll(async () => {
    mail = await startMailApiFake();
    rt = await startRuntime(kind);
    const w = await rt.api.post('/api/v1/inboxes', { name: 'Website', channel: 'webchat', config: {} });
    chat = w.body;
    const e = await rt.api.post('/api/v1/inboxes', { name: 'Support mail', channel: 'email', config: {
      address: 'support@example.test', fromName: 'Acme Support', apiBaseUrl: mail.url, mailApi: mail.mailApi(),
      imap: { host: 'imap.example.test', port: 993, secure: true, user: 'support', password: 'imap-secret' },
    } });
    expect(e.status).toBe(201);
    emailInbox = e.body.id;
  }, 120_000);
  afterAll(async () => { await rt?.stop(); await mail?.close(); });

  const webChatCustomer = async (name: string, email: string) => {
    const s = await apiClient(rt.url).post(`/public/webchat/${chat.webchatToken}/sessions`, { name });
    await apiClient(rt.url, s.body.visitorToken).post(`/public/webchat/${chat.webchatToken}/messages`, { content: 'please email me the invoice' });
    const conv = (await rt.api.get(`/api/v1/conversations?inboxId=${chat.id}&limit=100`)).body.data.find((c: any) => c.contact.name === name);
    expect((await rt.api.patch(`/api/v1/contacts/${conv.contact.id}`, { email })).status).toBe(200);
    return conv;
  };

  it('keeps the API key secret: the inbox shows it redacted', async () => {
    const inbox = await rt.api.get(`/api/v1/inboxes/${emailInbox}`);
    expect(JSON.stringify(inbox.body)).not.toContain(mail.apiKey);
  });

  it('a reply on the email inbox goes out through the mail API and becomes sent', async () => {
    const conv = await webChatCustomer('王小明', 'wang@customer.test');
    const r = await rt.api.post(`/api/v1/conversations/${conv.id}/continue`, { inboxId: emailInbox, content: '您好，发票已附上' });
    expect(r.status).toBe(201);
    const sent = await eventually(async () => {
      const msgs = (await rt.api.get(`/api/v1/conversations/${r.body.conversationId}/messages`)).body.data as any[];
      return msgs.find((m) => m.id === r.body.message.id && m.deliveryStatus === 'sent');
    });
    expect(sent).toBeTruthy();
    expect(mail.sent).toHaveLength(1);
    const [out] = mail.sent;
    expect(out.body).toMatchObject({ from: '"Acme Support" <support@example.test>', to: ['"王小明" <wang@customer.test>'], text: '您好，发票已附上' });
    expect(out.body.subject).toMatch(/^Re: /);
    // Our Message-ID (threads the customer's answer back), the message id as idempotency key.
    expect(out.body.headers['Message-ID']).toBe(sent.externalId);
    expect(sent.externalId).toMatch(/^<[0-9a-z]+\.[0-9a-f]{16}@example\.test>$/);
    expect(out.idempotencyKey).toBe(sent.id);
  });

  it('a refused API key fails the reply with the reason, once', async () => {
    const conv = await webChatCustomer('Refused', 'refused@customer.test');
    const patched = await rt.api.patch(`/api/v1/inboxes/${emailInbox}`, { config: { mailApi: { provider: 'resend', apiKey: 're_wrong' } } });
    expect(patched.status).toBe(200);
    const r = await rt.api.post(`/api/v1/conversations/${conv.id}/continue`, { inboxId: emailInbox, content: 'will not arrive' });
    expect(r.status).toBe(201);
    const failed = await eventually(async () => {
      const msgs = (await rt.api.get(`/api/v1/conversations/${r.body.conversationId}/messages`)).body.data as any[];
      return msgs.find((m) => m.id === r.body.message.id && m.deliveryStatus === 'failed');
    });
    expect(failed.error).toMatch(/401.*apiKey/);
    expect(mail.sent.map((s) => s.body.text)).not.toContain('will not arrive');
  });
});
