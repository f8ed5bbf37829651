// One email must not freeze the server nor block the mailbox. Real dovecot: crafted mail that
// used to take minutes (quadratic quote trimming), a mail over the size budget and one over the
// time budget. Each becomes a message (the over-budget ones saying they could not be fully
// read, with the original attached), the cursor moves past them, and mail after them arrives.
import { describe, expect, it } from 'vitest';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { emailInboxConfig, startTestDovecot } from './helpers/dovecot.js';
import { fixture } from './helpers/fixture.js';
import { createInbox } from './helpers/inboxes.js';
import { startTestParley } from './helpers/parley.js';

const dv = fixture(startTestDovecot);
const p = fixture(() => startTestParley());

const mail = (id: string, subject: string, body: string) => [
  `From: Customer <c-${id}@example.com>`, 'To: support@parley.test', `Subject: ${subject}`, `Message-ID: <${id}@example.com>`,
  'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');

const inbox = async (extra: Record<string, unknown>) => (await createInbox(p.api, 'email', emailInboxConfig(dv, extra), { name: `Budget ${Math.random()}` })).id;
const row = (id: string) => p.store.get('SELECT * FROM inboxes WHERE id = ?', [id]).then((r) => r!);
const stored = (inboxId: string) => p.store.all<{ external_id: string; content: string; meta: string | null; attachments: string | null }>(
  'SELECT external_id, content, meta, attachments FROM messages WHERE inbox_id = ? ORDER BY created_at, id', [inboxId]);
const cursorOf = async (inboxId: string) => JSON.parse((await p.store.get<{ cursor: string }>("SELECT cursor FROM connector_cursors WHERE inbox_id = ? AND name = 'default'", [inboxId]))!.cursor);

describe('the mail parse budget', () => {
  it('a crafted 1 MB inline-reply mail, a mail over the size budget, then a normal one: all arrive, the cursor moves on', async () => {
    const id = await inbox({ maxParseMb: 2 });
    await dv.append(mail('crafted', 'Inline reply', '> quoted line\r\nanswer\r\n'.repeat(50_000)));
    const bigUid = await dv.append(mail('huge', 'Huge', `${'x'.repeat(998)}\r\n`.repeat(3000)));
    const lastUid = await dv.append(mail('after', 'After', 'Still there?'));

    const started = Date.now();
    const ticks: number[] = [];
    const beat = setInterval(() => ticks.push(Date.now()), 20);
    try {
      expect(await pollInbox(p.deps, await row(id))).toEqual({ ingested: 3 });
    } finally { clearInterval(beat); }
    // The event loop kept turning while the mail was read.
    expect(ticks.length).toBeGreaterThan(0);

    const msgs = await stored(id);
    expect(msgs.map((m) => m.external_id)).toEqual(['<crafted@example.com>', '<huge@example.com>', '<after@example.com>']);
    expect(msgs[0].content).toContain('answer');
    expect(msgs[1].content).toMatch(/could not fully read this email: it is \d+ MB, over the 2 MB/);
    expect(JSON.parse(msgs[1].meta!)).toMatchObject({ unreadable: true });
    const [att] = JSON.parse(msgs[1].attachments!);
    expect(att).toMatchObject({ filename: 'original.eml', contentType: 'message/rfc822' });
    expect(att.size).toBeGreaterThan(2 * 1024 * 1024);
    // The bytes are in the blob store, under the sha256 the row names.
    const file = await p.store.get<{ sha256: string; state: string }>('SELECT sha256, state FROM attachments WHERE id = ?', [att.id]);
    expect(file!.state).toBe('ready');
    const blob = await p.deps.blobs.get(file!.sha256);
    expect(Buffer.from(blob!).toString('utf8')).toContain('Message-ID: <huge@example.com>');
    expect(msgs[2].content).toBe('Still there?');
    expect(bigUid).toBeLessThan(lastUid!);
    expect((await cursorOf(id)).lastUid).toBe(lastUid);
    // A restart polls from the cursor: nothing is parsed again.
    expect(await pollInbox(p.deps, await row(id))).toEqual({ ingested: 0 });
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('a mail over the time budget is stored unread with the original; the parser recovers for the next', async () => {
    await dv.withClient((c) => c.mailboxCreate('Slow'));
    const id = await inbox({ mailbox: 'Slow', parseTimeoutMs: 10 });
    await dv.append(mail('slow', 'Slow', `${'y'.repeat(998)}\r\n`.repeat(8000)), 'Slow');
    const lastUid = await dv.append(mail('next', 'Next', 'hello again'), 'Slow');
    const r = await pollInbox(p.deps, await row(id));
    expect(r).toEqual({ ingested: 2 });
    const msgs = await stored(id);
    expect(msgs[0]).toMatchObject({ external_id: '<slow@example.com>' });
    expect(msgs[0].content).toMatch(/could not fully read this email: parsing took longer than 10 ms/);
    expect(JSON.parse(msgs[0].attachments!)[0]).toMatchObject({ filename: 'original.eml' });
    expect((await cursorOf(id)).lastUid).toBe(lastUid);
    // The worker was ended mid-parse; the next inbox's mail parses in a new one.
    const other = await inbox({ mailbox: 'Later' });
    await dv.withClient((c) => c.mailboxCreate('Later'));
    await dv.append(mail('later', 'Later', 'fine'), 'Later');
    expect(await pollInbox(p.deps, await row(other))).toEqual({ ingested: 1 });
    expect((await stored(other))[0].content).toBe('fine');
  });
});
