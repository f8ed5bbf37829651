// Reply-To honoured on replies, against real servers (dovecot in, smtp-server out): the
// conversation and its contact stay the From address, the agent's answer goes where the
// customer's latest mail asked; not for a sender the receiving server could not verify.
import { describe, expect, it } from 'vitest';
import type { EmailConfig } from '../connectors/email/config.js';
import { replyRecipients } from '../connectors/email/smtp.js';
import type { OutboundMessage } from '../connectors/types.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { emailInboxConfig, startTestDovecot } from './helpers/dovecot.js';
import { fixture } from './helpers/fixture.js';
import { createInbox } from './helpers/inboxes.js';
import { startTestParley } from './helpers/parley.js';
import { startSmtpSink } from './helpers/smtp-sink.js';

const ADDRESS = 'support@parley.test';
const dv = fixture(startTestDovecot);
const sink = fixture(() => startSmtpSink());
const p = fixture(() => startTestParley());
const inbox = fixture(async () => {
  await dv.withClient((c) => c.mailboxCreate('ReplyTo'));
  return createInbox(p.api, 'email', emailInboxConfig(dv, { address: ADDRESS, mailbox: 'ReplyTo', smtpPort: sink.port }), { name: 'Support' });
});

let n = 0;
const mail = (headers: string[], body: string) => [
  `To: ${ADDRESS}`, `Date: ${new Date(Date.now() + ++n * 1000).toUTCString()}`, ...headers,
  'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, '',
].join('\r\n');

async function deliver(raw: string) {
  await dv.append(raw, 'ReplyTo');
  expect(await pollInbox(p.deps, (await p.deps.store.get('SELECT * FROM inboxes WHERE id = ?', [inbox.id]))!)).toBeTruthy();
}
const conversationOf = async (messageId: string) =>
  (await p.deps.store.get<{ conversation_id: string }>('SELECT conversation_id FROM messages WHERE external_id = ? AND inbox_id = ?', [messageId, inbox.id]))!.conversation_id;

/** The agent answers; returns what the SMTP server received. */
async function answer(conversationId: string, content: string) {
  const before = sink.received.length;
  expect((await p.api.post(`/api/v1/conversations/${conversationId}/messages`, { content })).status).toBe(201);
  expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
  expect(sink.received).toHaveLength(before + 1);
  return sink.received[before];
}

describe('Reply-To', () => {
  it('the answer goes to the Reply-To of the latest mail; the conversation and contact stay the From address', async () => {
    await deliver(mail(['From: Kim Park <kim@example.com>', 'Reply-To: Kim Office <Office@Example.com>', 'Subject: Invoice address', 'Message-ID: <rt-1@example.com>'],
      'Please send the invoice to our office.'));
    const convId = await conversationOf('<rt-1@example.com>');
    const conv = (await p.api.get(`/api/v1/conversations/${convId}`)).body;
    const contact = (await p.api.get(`/api/v1/contacts/${conv.contact.id}`)).body;
    expect(contact).toMatchObject({ name: 'Kim Park', email: 'kim@example.com' });
    expect((await p.api.get(`/api/v1/conversations/${convId}/reply-target`)).body).toMatchObject({ externalId: 'kim@example.com' });

    const out = await answer(convId, 'Done, it is on its way.');
    expect(out.to).toEqual(['office@example.com']);
    expect(out.mail.to).toMatchObject({ value: [{ address: 'office@example.com' }] });
    expect(out.mail.inReplyTo).toBe('<rt-1@example.com>');

    // The next mail in the thread has no Reply-To: the answer goes back to From.
    await deliver(mail(['From: Kim Park <kim@example.com>', 'Subject: Re: Invoice address', 'Message-ID: <rt-2@example.com>', `In-Reply-To: ${out.mail.messageId}`], 'Thanks! One more question.'));
    expect(await conversationOf('<rt-2@example.com>')).toBe(convId);
    const second = await answer(convId, 'Sure, ask away.');
    expect(second.to).toEqual(['kim@example.com']);
    expect(second.mail.to).toMatchObject({ value: [{ address: 'kim@example.com', name: 'Kim Park' }] });
  });

  it('several Reply-To addresses all get the answer', async () => {
    await deliver(mail(['From: Ana <ana@example.com>', 'Reply-To: ana@example.com, billing@example.com', 'Subject: Refund', 'Message-ID: <rt-3@example.com>'], 'Refund please.'));
    const out = await answer(await conversationOf('<rt-3@example.com>'), 'Refunded.');
    expect(out.to.sort()).toEqual(['ana@example.com', 'billing@example.com']);
  });

  it('a sender the receiving server could not verify (DMARC fail) is answered at From, never at its Reply-To', async () => {
    await deliver(mail(['Authentication-Results: mx.parley.test; spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com',
      'From: Kim Park <kim@example.com>', 'Reply-To: kim.park@evil.test', 'Subject: Change my bank account', 'Message-ID: <rt-4@evil.test>'],
    'Please send my balance to this address.'));
    const out = await answer(await conversationOf('<rt-4@evil.test>'), 'We will look into it.');
    expect(out.to).toEqual(['kim@example.com']);
  });
});

describe('replyRecipients', () => {
  const c = { address: ADDRESS } as EmailConfig;
  const msg = (meta: Record<string, unknown> | undefined, externalId = 'kim@example.com') =>
    ({ recipient: { externalId }, replyToMeta: meta } as unknown as OutboundMessage);
  it('keeps the identity without meta, for our own address, for junk, and when the identity was changed since', () => {
    expect(replyRecipients(c, msg(undefined))).toEqual(['kim@example.com']);
    expect(replyRecipients(c, msg({ email: { from: 'kim@example.com', replyTo: ['Support@Parley.test'] } }))).toEqual(['kim@example.com']);
    expect(replyRecipients(c, msg({ email: { from: 'kim@example.com', replyTo: ['not an address', 42] } }))).toEqual(['kim@example.com']);
    // An admin pointed the conversation elsewhere (reply-target): older mail from kim does not undo it.
    expect(replyRecipients(c, msg({ email: { from: 'kim@example.com', replyTo: ['office@example.com'] } }, 'kim.new@example.com'))).toEqual(['kim.new@example.com']);
    expect(replyRecipients(c, msg({ email: { from: 'kim@example.com', replyTo: ['office@example.com'] } }))).toEqual(['office@example.com']);
  });
});
