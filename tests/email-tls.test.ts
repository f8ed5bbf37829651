// STARTTLS is required for IMAP and SMTP without implicit TLS, unless the inbox says
// allowPlaintext: true. The test servers speak no TLS at all, so only allowPlaintext reaches them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emailConfig } from '../connectors/email/config.js';
import { pollMailbox } from '../connectors/email/imap.js';
import { sendEmail } from '../connectors/email/smtp.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';

let dv: Dovecot;
let sink: SmtpSink;
beforeAll(async () => {
  if (!dovecotAvailable()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  [dv, sink] = await Promise.all([startDovecot(), startSmtpSink({ user: 'u', password: 'smtp-pass' })]);
}, 30_000);
afterAll(async () => { await Promise.all([dv?.stop(), sink?.stop()]); });

const config = (allowPlaintext?: boolean) => emailConfig.parse({ address: 'support@parley.test', ...(allowPlaintext ? { allowPlaintext } : {}),
  imap: { host: '127.0.0.1', port: dv.port, secure: false, user: dv.user, password: dv.password },
  smtp: { host: '127.0.0.1', port: sink.port, secure: false, user: 'u', password: 'smtp-pass' } });
const msg = { messageId: '01M8RJY1C8R3T3MCQ57SAYR0N4', conversationId: 'c', threadKey: 't', recipient: { externalId: 'kim@example.com', email: 'kim@example.com' }, text: 'hi', threadExternalIds: [], attachments: [] };

it('without allowPlaintext a server that offers no STARTTLS is refused, the password never sent', async () => {
  await expect(pollMailbox(config(), null)).rejects.toThrow();
  await expect(sendEmail(config(), msg)).rejects.toThrow();
  expect(sink.received).toHaveLength(0);
});

it('allowPlaintext: true reaches the same servers', async () => {
  await expect(pollMailbox(config(true), null)).resolves.toMatchObject({ events: [] });
  await expect(sendEmail(config(true), msg)).resolves.toMatchObject({ externalId: expect.stringMatching(/^</) });
  expect(sink.received).toHaveLength(1);
});
