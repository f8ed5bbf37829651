// Email on Workers: Email Routing hands a message to the Worker's email() handler (locally
// wrangler dev's /cdn-cgi/handler/email), which files it into the email inbox for that address
// through the same parser IMAP uses; a redelivery is a no-op. (Node receives mail by IMAP
// polling: tests/email.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailApiFake, type MailApiFake } from '../../connectors/email/mail-api-fake.js';
import { eventually, runtimes, startRuntime, type Runtime } from '../helpers/runtimes.js';

describe.runIf(runtimes.includes('worker'))('email routing on the worker', () => {
  let rt: Runtime;
  let inboxId: string;
  let mailApi: MailApiFake;
  beforeAll(async () => {
    mailApi = await startMailApiFake();
    rt = await startRuntime('worker');
    const r = await rt.api.post('/api/v1/inboxes', { name: 'Support mail', channel: 'email', config: {
      address: 'support@example.test',
      // Unused on Workers (no IMAP polling there) but part of the channel's config.
      imap: { host: 'imap.example.test', port: 993, secure: true, user: 'support', password: 'x' },
      // Out through the mail API (no raw TCP for SMTP on Workers).
      apiBaseUrl: mailApi.url, mailApi: mailApi.mailApi(),
    } });
    expect(r.status).toBe(201);
    inboxId = r.body.id;
  }, 120_000);
  afterAll(async () => { await rt?.stop(); await mailApi?.close(); });

  const mail = (id: string, subject: string, body: string) => [
    'From: =?UTF-8?B?546L5bCP5piO?= <wang@customer.test>', 'To: support@example.test', `Subject: ${subject}`,
    `Message-ID: <${id}@customer.test>`, 'Date: Tue, 01 Dec 2026 09:00:00 +0000', 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(body).toString('base64'), '',
  ].join('\r\n');
  const route = (to: string, raw: string) => fetch(`${rt.url}/cdn-cgi/handler/email?from=wang@customer.test&to=${encodeURIComponent(to)}`, { method: 'POST', body: raw });

  it('files a routed message into the inbox for its address, once', async () => {
    const raw = mail('m1', 'Card problem', '我的银行卡无法绑定');
    expect((await route('support@example.test', raw)).ok).toBe(true);
    expect((await route('support@example.test', raw)).ok).toBe(true);
    const conv = await eventually(async () => (await rt.api.get(`/api/v1/conversations?inboxId=${inboxId}`)).body.data[0]);
    expect(conv).toMatchObject({ channel: 'email', contact: { name: '王小明' }, lastMessage: { content: '我的银行卡无法绑定', direction: 'in' } });
    const msgs = (await rt.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data;
    expect(msgs).toHaveLength(1);
  });

  it('the reply to a routed message is delivered through the mail API, threaded onto it', async () => {
    const conv = (await rt.api.get(`/api/v1/conversations?inboxId=${inboxId}`)).body.data[0];
    const reply = await rt.api.post(`/api/v1/conversations/${conv.id}/messages`, { content: '请提供卡号后四位' });
    expect(reply.status).toBe(201);
    const sent = await eventually(async () => (await rt.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data.find((m: any) => m.id === reply.body.id && m.deliveryStatus === 'sent'));
    expect(sent).toBeTruthy();
    expect(mailApi.sent).toHaveLength(1);
    expect(mailApi.sent[0].body).toMatchObject({
      from: 'support@example.test', to: ['"王小明" <wang@customer.test>'], subject: 'Re: Card problem', text: '请提供卡号后四位',
      headers: { 'Message-ID': sent.externalId, 'In-Reply-To': '<m1@customer.test>', References: '<m1@customer.test>' },
    });
  });
});
