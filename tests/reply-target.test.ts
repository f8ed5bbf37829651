// Replies follow the conversation's identity, never the contact's editable email/phone: an
// agent of one inbox who edits a shared contact (or a merge that fills fields) cannot redirect
// another inbox's replies. Changing the target is an explicit, audited act of an admin or lead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmsFake, type SmsFake } from '../connectors/sms/fake.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { startTestParley, type TestParley } from './helpers/parley.js';
import { inboundMessage } from './helpers/inbound.js';

let p: TestParley, fake: SmsFake, sink: SmtpSink;
let smsInbox: string, mailInbox: string, smsConv: string, mailConv: string;
let smsAgent: { id: string; token: string }, mailAgent: { id: string; token: string }, lead: { id: string; token: string };

beforeAll(async () => {
  [p, fake, sink] = await Promise.all([startTestParley(), startSmsFake(), startSmtpSink()]);
  smsInbox = (await p.api.post('/api/v1/inboxes', { name: 'SMS', channel: 'sms', config: fake.inboxConfig() })).body.id;
  const mail = await p.api.post('/api/v1/inboxes', { name: 'Mail', channel: 'email', config: {
    address: 'support@parley.test', allowPlaintext: true,
    imap: { host: '127.0.0.1', port: 1, secure: false, user: 'u', password: 'p' },
    smtp: { host: '127.0.0.1', port: sink.port, secure: false },
  } });
  expect(mail.status).toBe(201);
  mailInbox = mail.body.id;
  smsAgent = await p.createUser('agent', 'SMS agent');
  mailAgent = await p.createUser('agent', 'Mail agent');
  lead = await p.createUser('lead', 'Lead');
  await p.api.post(`/api/v1/inboxes/${smsInbox}/members`, { userIds: [smsAgent.id] });
  await p.api.post(`/api/v1/inboxes/${mailInbox}/members`, { userIds: [mailAgent.id] });
  const sent = Date.now();
  await ingest(p.deps, { id: smsInbox, channel: 'sms' }, [inboundMessage({ externalId: 'SM1', threadKey: '+15550001111', text: 'card blocked',
    sentAt: sent, sender: { externalId: '+15550001111', phone: '+15550001111' } })]);
  await ingest(p.deps, { id: mailInbox, channel: 'email' }, [inboundMessage({ externalId: '<m1@customer.test>', text: 'refund?',
    sentAt: sent, sender: { externalId: 'alice@customer.test', email: 'alice@customer.test', name: 'Alice' } })]);
  smsConv = (await p.store.get<any>('SELECT id FROM conversations WHERE inbox_id = ?', [smsInbox])).id;
  mailConv = (await p.store.get<any>('SELECT id FROM conversations WHERE inbox_id = ?', [mailInbox])).id;
  // A lead links the two as one person, as merge suggestions invite.
  const smsContact = (await p.store.get<any>('SELECT contact_id FROM conversations WHERE id = ?', [smsConv])).contact_id;
  const mailContact = (await p.store.get<any>('SELECT contact_id FROM conversations WHERE id = ?', [mailConv])).contact_id;
  expect((await p.as(lead.token).post(`/api/v1/contacts/${mailContact}/merge`, { otherContactId: smsContact })).status).toBe(200);
}, 30_000);
afterAll(async () => { await Promise.all([p?.stop(), fake?.close(), sink?.stop()]); });

async function replyAndDeliver(token: string, conv: string, content: string) {
  const r = await p.as(token).post(`/api/v1/conversations/${conv}/messages`, { content });
  expect(r.status).toBe(201);
  await deliverDueOutbox(p.deps);
  const row = await p.store.get<any>('SELECT delivery_status, error FROM messages WHERE id = ?', [r.body.id]);
  expect(row).toMatchObject({ delivery_status: 'sent' });
}

describe('reply targets', () => {
  it('an agent of the email inbox edits the shared contact; the SMS inbox\'s replies still go to the number that wrote', async () => {
    const contactId = (await p.store.get<any>('SELECT contact_id FROM conversations WHERE id = ?', [mailConv])).contact_id;
    const patch = await p.as(mailAgent.token).raw(`/api/v1/contacts/${contactId}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${mailAgent.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '+19990000666', email: 'mallory@evil.test' }),
    });
    expect(patch.status).toBe(200);
    await replyAndDeliver(smsAgent.token, smsConv, 'We unblocked your card');
    expect(fake.sends.map((s) => s.to)).toEqual(['+15550001111']);
    await replyAndDeliver(mailAgent.token, mailConv, 'Refund is on its way');
    expect(sink.received.at(-1)!.to).toEqual(['alice@customer.test']);
  });

  it('an agent cannot change where replies go; a lead can, and the act is in the audit log', async () => {
    const agentTry = await p.as(smsAgent.token).post(`/api/v1/conversations/${smsConv}/reply-target`, { externalId: '+19990000666' });
    expect(agentTry.status).toBe(403);
    expect((await p.as(mailAgent.token).get(`/api/v1/conversations/${smsConv}/reply-target`)).status).toBe(404);
    expect((await p.as(smsAgent.token).get(`/api/v1/conversations/${smsConv}/reply-target`)).body).toMatchObject({ externalId: '+15550001111', channel: 'sms' });

    const bad = await p.as(lead.token).post(`/api/v1/conversations/${smsConv}/reply-target`, { externalId: 'not a number' });
    expect(bad.status).toBe(400);
    const changed = await p.as(lead.token).post(`/api/v1/conversations/${smsConv}/reply-target`, { externalId: '+15550002222' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ externalId: '+15550002222', channel: 'sms' });
    await replyAndDeliver(smsAgent.token, smsConv, 'Writing to your new number');
    expect(fake.sends.at(-1)!.to).toBe('+15550002222');

    const log = await p.api.get(`/api/v1/audit-log?action=conversation.reply_target_changed`);
    expect(log.status).toBe(200);
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({ actor: { id: lead.id }, targetType: 'conversation', targetId: smsConv, details: { from: '+15550001111', to: '+15550002222' } });
    expect((await p.api.get('/api/v1/audit-log?action=contact.merged')).body.data).toHaveLength(1);
  });

  it('a lead cannot point a conversation at another contact\'s identity', async () => {
    await ingest(p.deps, { id: mailInbox, channel: 'email' }, [inboundMessage({ externalId: '<m2@other.test>', text: 'hi',
      sender: { externalId: 'bob@other.test', email: 'bob@other.test' } })]);
    const r = await p.as(lead.token).post(`/api/v1/conversations/${mailConv}/reply-target`, { externalId: 'Bob@Other.test' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('identity_of_other_contact');
  });
});
