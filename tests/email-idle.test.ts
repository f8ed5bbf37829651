// IMAP through the poll loops against a real dovecot: one connection per inbox, IDLE on its
// folder so a mail appended while Parley runs is in the API within seconds (pollSeconds is an
// hour: only IDLE can be that quick), a dropped connection is re-made, and a server without
// IDLE is polled on pollSeconds instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPollLoops, type PollLoops } from '../src/domain/ingest/poll-loop.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './helpers/dovecot.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

let p: TestParley;
let loops: PollLoops;
beforeAll(async () => {
  if (!dovecotAvailable()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd (npm test provisions it)');
  p = await startTestParley();
  loops = startPollLoops(p.deps, { scanEveryMs: 60_000 });
  p.deps.wakePoller = loops.wake;
}, 30_000);
afterAll(async () => { await loops?.stop(); await p?.stop(); });

const mail = (i: number | string, subject = `Question ${i}`) => [`From: customer${i}@example.com`, 'To: support@parley.test', `Subject: ${subject}`,
  `Message-ID: <idle-${i}-${Math.random().toString(36).slice(2)}@example.com>`, 'Content-Type: text/plain; charset=utf-8', '', `问题 ${i}`, ''].join('\r\n');
const emailInbox = async (dv: Dovecot, extra: Record<string, unknown> = {}, mailbox?: string) => {
  const r = await p.api.post('/api/v1/inboxes', { name: `Mail ${Math.random()}`, channel: 'email', config: {
    address: 'support@parley.test', allowPlaintext: true, imap: { host: dv.host, port: dv.port, secure: false, user: dv.user, password: dv.password, ...(mailbox ? { mailbox } : {}) },
    smtp: { host: '127.0.0.1', port: 2525, secure: false }, pollSeconds: 3600, ...extra,
  } });
  expect(r.status).toBe(201);
  return r.body.id as string;
};
const subjects = async (inboxId: string) => ((await p.api.get(`/api/v1/conversations?inboxId=${inboxId}&limit=100`)).body.data as any[]).map((c) => c.lastMessage.content as string);
async function until(ok: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await ok()) return true; await new Promise((r) => setTimeout(r, 25)); }
  return ok();
}

describe('IMAP IDLE', () => {
  let dv: Dovecot;
  beforeAll(async () => { dv = await startDovecot(); });
  afterAll(() => dv?.stop());

  it('imports the folder, then a mail appended while running is in the API within 3 s over the same connection', async () => {
    for (let i = 0; i < 3; i++) await dv.append(mail(i));
    const loginsBefore = dv.logins();
    const inboxId = await emailInbox(dv);
    expect(await until(async () => (await subjects(inboxId)).length === 3, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // into IDLE

    const appended = Date.now();
    await dv.append(mail('new'));
    expect(await until(async () => (await subjects(inboxId)).includes('问题 new'), 3000)).toBe(true);
    expect(Date.now() - appended).toBeLessThan(3000);
    // Our inbox logged in once; the test's own APPENDs are the other logins.
    expect(dv.logins() - loginsBefore).toBe(1 + 1);
  }, 30_000);

  it('a dropped connection is re-made and IDLE resumes: the next mail still arrives within 3 s', async () => {
    await dv.withClient((c) => c.mailboxCreate('Support'));
    const inboxId = await emailInbox(dv, {}, 'Support');
    expect(await until(async () => loops.running().includes(inboxId), 5000)).toBe(true);
    await dv.append(mail('s1'), 'Support');
    expect(await until(async () => (await subjects(inboxId)).includes('问题 s1'), 15_000)).toBe(true);
    const loginsBefore = dv.logins();
    await dv.kick();
    await new Promise((r) => setTimeout(r, 300));
    await dv.append(mail('s2'), 'Support');
    expect(await until(async () => (await subjects(inboxId)).includes('问题 s2'), 3000)).toBe(true);
    // Both inboxes were kicked and logged in again (plus the APPEND's own login).
    expect(dv.logins() - loginsBefore).toBe(2 + 1);
    expect((await p.api.get(`/api/v1/inboxes/${inboxId}`)).body.health).toBe('ok');
  }, 40_000);
});

describe('IMAP without IDLE', () => {
  let dv: Dovecot;
  // The capability list dovecot would announce, minus IDLE.
  beforeAll(async () => { dv = await startDovecot({ extraConfig: 'imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE' }); });
  afterAll(() => dv?.stop());

  it('falls back to polling every pollSeconds', async () => {
    const inboxId = await emailInbox(dv, { pollSeconds: 5 });
    expect(await until(async () => loops.running().includes(inboxId), 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    await dv.append(mail('np'));
    expect(await until(async () => (await subjects(inboxId)).includes('问题 np'), 8000)).toBe(true);
  }, 30_000);
});
