// Email trust: mail is ours only by a Message-ID we generated, a delivery report counts only for
// ours and only when it comes from a mail server, and the receiving server's SPF/DKIM/DMARC
// verdict is kept and turned into an "unverified sender" mark.
import { describe, expect, it } from 'vitest';
import { messageIdKey, ownMessageId, isOwnMessageId } from '../connectors/email/message-id.js';
import { parseEmail } from '../connectors/email/parse.js';
import type { InboundMessageEvent } from '../connectors/types.js';
import { messageView } from '../src/domain/core/views.js';

const OWN = 'support@parley.test';
const KEY = messageIdKey({ address: OWN, imap: { password: 'imap-pass' } as never });
const OURS = ownMessageId(KEY, '01M8RJY1C8R3T3MCQ57SAYR0N4', 'parley.test');
const parse = (lines: string[]) => parseEmail(Buffer.from(lines.join('\r\n')), { address: OWN, ownIdKey: KEY });

const bounce = (from: string, returnPath: string, original: string) => [
  `Return-Path: ${returnPath}`, `From: ${from}`, `To: ${OWN}`, 'Subject: Undelivered Mail Returned to Sender', 'Message-ID: <b1@mx.example.com>',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '',
  '--b', 'Content-Type: text/plain', '', 'Delivery failed.', '',
  '--b', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.com', '',
  'Final-Recipient: rfc822; kim@example.com', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 User unknown', '',
  '--b', 'Content-Type: text/rfc822-headers', '', `Message-ID: ${original}`, '',
  '--b--', ''];

describe('our own mail', () => {
  it('our Message-IDs verify; a guessed one does not', () => {
    expect(isOwnMessageId(KEY, OURS)).toBe(true);
    expect(isOwnMessageId(KEY, OURS.replace(/\.[0-9a-f]{4}/, '.0000'))).toBe(false);
    expect(isOwnMessageId(KEY, '<01m8rjy1c8r3t3mcq57sayr0n4@parley.test>')).toBe(false);
    expect(isOwnMessageId(messageIdKey({ address: OWN, imap: { password: 'other' } as never }), OURS)).toBe(false);
  });

  it('mail merely claiming the inbox\'s own address is a customer message marked unverified, not our reply', async () => {
    const [e] = await parse([`From: Support <${OWN}>`, 'To: Kim <kim@example.com>', 'Message-ID: <planted@evil.example>', 'Subject: Re: refund', '', 'Refund approved.', '']) as InboundMessageEvent[];
    expect(e.kind).toBe('message');
    expect(e.meta).toMatchObject({ unverifiedSender: true });
    const [ours] = await parse([`From: Support <${OWN}>`, 'To: Kim <kim@example.com>', `Message-ID: ${OURS}`, 'Subject: Re: refund', '', 'hi', '']) as InboundMessageEvent[];
    expect(ours.kind).toBe('echo');
    expect(ours.meta?.unverifiedSender).toBeUndefined();
  });
});

describe('delivery reports', () => {
  it('a server\'s bounce of our Message-ID marks it failed', async () => {
    const events = await parse(bounce('MAILER-DAEMON@mx.example.com', '<>', OURS));
    expect(events[1]).toMatchObject({ kind: 'status', externalId: OURS, status: 'failed' });
  });
  it('a customer\'s forged report naming our Message-ID, or a report of an id we never made, changes nothing', async () => {
    expect(await parse(bounce('kim@example.com', '<kim@example.com>', OURS))).toHaveLength(1);
    expect(await parse(bounce('MAILER-DAEMON@mx.example.com', '<>', '<01m8rjy1c8r3t3mcq57sayr0n4@parley.test>'))).toHaveLength(1);
  });
});

describe('Authentication-Results', () => {
  const mail = (...auth: string[]) => parse([...auth.map((a) => `Authentication-Results: ${a}`), 'From: Kim <kim@example.com>', `To: ${OWN}`, 'Message-ID: <k1@example.com>', 'Subject: hi', '', 'hello', '']);
  it('records the topmost verdict and marks failures', async () => {
    const [pass] = await mail('mx.parley.test; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com') as InboundMessageEvent[];
    expect(pass.meta).toMatchObject({ authentication: { spf: 'pass', dkim: 'pass', dmarc: 'pass' } });
    expect(pass.meta?.unverifiedSender).toBeUndefined();
    const [fail] = await mail('mx.parley.test; spf=fail smtp.mailfrom=example.com; dkim=none; dmarc=fail header.from=example.com',
      'forged.example; spf=pass; dkim=pass; dmarc=pass') as InboundMessageEvent[];
    expect(fail.meta).toMatchObject({ authentication: { dmarc: 'fail' }, unverifiedSender: true, unverifiedReason: 'DMARC fail' });
    const [none] = await mail() as InboundMessageEvent[];
    expect(none.meta?.unverifiedSender).toBeUndefined();
  });
  it('the message view carries the mark for the web app', () => {
    const v = messageView({ id: 'm', conversation_id: 'c', direction: 'in', private: 0, content: 'x', sender_type: 'contact', created_at: 0, meta: JSON.stringify({ unverifiedSender: true }) });
    expect(v.unverifiedSender).toBe(true);
  });
});
