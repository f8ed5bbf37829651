// First connect of a mailbox with history against a real dovecot: the admin chooses to import
// everything, the last N days or only new mail; a long import shows done / total, rate and ETA
// on the inbox, can be paused and resumed, and one unreadable mail never stalls it.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPollLoops } from '../src/domain/ingest/poll-loop.js';
import { pollDueInboxes, pollInbox } from '../src/domain/ingest/polling.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './helpers/dovecot.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

let p: TestParley;
let dv: Dovecot;
const logLines: { msg: string; inboxId?: string; done?: number; total?: number; ratePerSecond?: number; state?: string }[] = [];
beforeAll(async () => {
  if (!dovecotAvailable()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd (npm test provisions it)');
  const log = pino({ level: 'info' }, { write: (line: string) => { logLines.push(JSON.parse(line)); } });
  [p, dv] = await Promise.all([startTestParley({ log }), startDovecot()]);
}, 30_000);
afterAll(async () => { await p?.stop(); await dv?.stop(); });

const DAY = 86_400_000;
const mail = (tag: string, i: number, extra: string[] = []) => [`From: c${i}@example.com`, 'To: support@parley.test', `Subject: ${tag} ${i}`,
  `Message-ID: <${tag}-${i}@example.com>`, ...extra, 'Content-Type: text/plain; charset=utf-8', '', `${tag} body ${i}`, ''].join('\r\n');
const folder = async (name: string) => { await dv.withClient((c) => c.mailboxCreate(name)); return name; };
const config = (mailbox: string, extra: Record<string, unknown> = {}) => ({
  address: 'support@parley.test', allowPlaintext: true, imap: { host: dv.host, port: dv.port, secure: false, user: dv.user, password: dv.password, mailbox },
  smtp: { host: '127.0.0.1', port: 2525, secure: false }, pollSeconds: 3600, ...extra,
});
const create = async (mailbox: string, extra: Record<string, unknown> = {}) => {
  const r = await p.api.post('/api/v1/inboxes', { name: mailbox, channel: 'email', config: config(mailbox, extra) });
  expect(r.status).toBe(201);
  return r.body.id as string;
};
const row = async (id: string) => (await p.store.get('SELECT * FROM inboxes WHERE id = ?', [id]))!;
const stored = async (id: string) => (await p.store.all<{ content: string }>('SELECT content FROM messages WHERE inbox_id = ? ORDER BY created_at, id', [id])).map((m) => m.content);

describe('what the first connect imports', () => {
  it('"recent" imports the last N days by the server\'s INTERNALDATE; "none" only new mail; "all" everything', async () => {
    const box = await folder('History');
    const now = Date.now();
    for (const [i, age] of [[0, 40], [1, 20], [2, 3], [3, 1]] as const) await dv.append(mail('h', i), box, new Date(now - age * DAY));
    const recent = await create(box, { importHistory: 'recent', importDays: 7 });
    const none = await create(box, { importHistory: 'none' });
    const all = await create(box, { importHistory: 'all' });
    for (const id of [recent, none, all]) await pollInbox(p.deps, await row(id));
    expect(await stored(recent)).toEqual(['h body 2', 'h body 3']);
    expect(await stored(none)).toEqual([]);
    expect((await stored(all)).sort()).toEqual(['h body 0', 'h body 1', 'h body 2', 'h body 3']);
    await dv.append(mail('h', 4), box);
    for (const id of [recent, none, all]) await pollInbox(p.deps, await row(id));
    expect(await stored(recent)).toEqual(['h body 2', 'h body 3', 'h body 4']);
    expect(await stored(none)).toEqual(['h body 4']);
  });

  it('the choice is validated, naming the field', async () => {
    const bad = await p.api.post('/api/v1/inboxes', { name: 'x', channel: 'email', config: config('INBOX', { importHistory: 'recent' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_config', message: expect.stringContaining('config.importDays') });
    const wrong = await p.api.post('/api/v1/inboxes', { name: 'x', channel: 'email', config: config('INBOX', { importHistory: 'some' }) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/config\.importHistory/);
    const days = await p.api.post('/api/v1/inboxes', { name: 'x', channel: 'email', config: config('INBOX', { importHistory: 'recent', importDays: 0 }) });
    expect(days.status).toBe(400);
  });
});

describe('a long import', () => {
  it('shows done / total, rate and ETA, pauses, resumes; an unparseable mail does not stall it', async () => {
    const box = await folder('Backlog');
    for (let i = 0; i < 40; i++) {
      // Mail 7 is broken MIME (unterminated multipart, unknown charset, bad base64): stored as best it can be, never retried.
      const raw = i === 7 ? ['From: broken@example.com', 'Subject: broken', 'Message-ID: <broken@example.com>', 'Content-Type: multipart/mixed; boundary="x"', '', '--x', 'Content-Type: text/plain; charset=no-such-charset', 'Content-Transfer-Encoding: base64', '', '!!!not base64', ''].join('\r\n') : mail('b', i);
      await dv.append(raw, box);
    }
    const id = await create(box, { batchSize: 10 });
    expect(await pollInbox(p.deps, await row(id))).toMatchObject({ ingested: 10, more: true });
    let inbox = (await p.api.get(`/api/v1/inboxes/${id}`)).body;
    expect(inbox.import).toMatchObject({ state: 'running', done: 10, total: 40, remaining: 30 });
    expect(inbox.import.ratePerSecond).toBeGreaterThan(0);
    expect(inbox.import.etaSeconds).toBeGreaterThanOrEqual(0);

    const paused = await p.api.post(`/api/v1/inboxes/${id}/import/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.import).toMatchObject({ state: 'paused', done: 10, etaSeconds: null });
    await pollDueInboxes(p.deps); // a paused inbox is not polled
    expect(await stored(id)).toHaveLength(10);
    const agent = await p.createUser('agent');
    expect((await p.as(agent.token).post(`/api/v1/inboxes/${id}/import/resume`)).status).toBe(403);

    // Resumed, the poll loop drains the rest back to back (pollSeconds is an hour).
    const loops = startPollLoops(p.deps, { scanEveryMs: 60_000 });
    p.deps.wakePoller = loops.wake;
    try {
      expect((await p.api.post(`/api/v1/inboxes/${id}/import/resume`)).body.import.state).toBe('running');
      const end = Date.now() + 20_000;
      while (Date.now() < end && (await stored(id)).length < 40) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await loops.stop();
      p.deps.wakePoller = undefined;
    }
    const contents = await stored(id);
    expect(contents).toHaveLength(40);
    expect(new Set(contents).size).toBe(40);
    inbox = (await p.api.get(`/api/v1/inboxes/${id}`)).body;
    expect(inbox.import).toMatchObject({ state: 'done', done: 40, total: 40, remaining: 0, etaSeconds: 0 });
    const cursor = JSON.parse((await p.store.get<{ cursor: string }>("SELECT cursor FROM connector_cursors WHERE inbox_id = ? AND name = 'default'", [id]))!.cursor);
    expect(cursor.lastUid).toBe(40);
    expect((await p.api.post('/api/v1/inboxes/nope/import/pause')).status).toBe(404);
    // The log tells the same story: progress with done / total and rate, pause, resume, the end.
    const mine = logLines.filter((l) => l.inboxId === id).map((l) => l.msg);
    expect(mine).toEqual(expect.arrayContaining(['import progress', 'import paused', 'import resumed', 'import finished']));
    expect(logLines.find((l) => l.inboxId === id && l.msg === 'import progress')).toMatchObject({ done: 10, total: 40, state: 'running' });
    expect(logLines.find((l) => l.inboxId === id && l.msg === 'import finished')).toMatchObject({ done: 40, total: 40, state: 'done' });
  }, 40_000);
});
