// The poller process is killed (SIGKILL, no cleanup) in the middle of importing a mailbox,
// then polling restarts: every message is stored exactly once, because each batch and its
// cursor are committed in one atomic unit and replays are no-ops by Message-ID.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './helpers/dovecot.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

let p: TestParley;
let dv: Dovecot;

beforeAll(async () => {
  if (!dovecotAvailable()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd (npm test installs it first)');
  [dv, p] = await Promise.all([startDovecot(), startTestParley()]);
}, 30_000);
afterAll(async () => { await Promise.all([p?.stop(), dv?.stop()]); });

it('SIGKILL of the poller process mid-import, then restart: every message exactly once', async () => {
  const TOTAL = 30;
  const r = await p.api.post('/api/v1/inboxes', { name: 'Kill test', channel: 'email', config: {
    address: 'support@parley.test', batchSize: 3, allowPlaintext: true,
    imap: { host: '127.0.0.1', port: dv.port, secure: false, user: dv.user, password: dv.password },
    smtp: { host: '127.0.0.1', port: 2525, secure: false },
  } });
  expect(r.status).toBe(201);
  const inboxId = r.body.id as string;
  for (let i = 0; i < TOTAL; i++) {
    await dv.append([`From: c${i}@example.com`, 'To: support@parley.test', `Subject: Order ${i}`, `Message-ID: <kill-${i}@example.com>`,
      'Content-Type: text/plain; charset=utf-8', '', `订单 ${i} 的问题`, ''].join('\r\n'));
  }

  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'helpers/email-poller.ts'), join(p.dir, 'parley.db'), inboxId, '3'],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: join(import.meta.dirname, '..') });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const out = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = JSON.parse((await out.next()).value as string);
  expect(first).toEqual({ ok: true, stored: 3 });
  child.stdin!.write('next\n');
  expect(JSON.parse((await out.next()).value as string)).toEqual({ ok: true, stored: 6 });
  // The third batch is read from IMAP; the process dies before storing it.
  child.stdin!.write('next\n');
  expect(JSON.parse((await out.next()).value as string)).toEqual({ fetched: 3 });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  const count = async () => (await p.deps.store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [inboxId]))!.n;
  expect(await count()).toBe(6);

  // Restart: poll until the mailbox is read to its end.
  for (let i = 0; i < 20 && (await count()) < TOTAL; i++) {
    expect(await pollInbox(p.deps, (await p.deps.store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]))!)).not.toBeNull();
  }
  const rows = await p.deps.store.all<{ external_id: string; n: number }>('SELECT external_id, count(*) AS n FROM messages WHERE inbox_id = ? GROUP BY external_id', [inboxId]);
  expect(rows).toHaveLength(TOTAL);
  expect(rows.every((x) => x.n === 1)).toBe(true);
  const convs = await p.deps.store.get<{ n: number; total: number }>('SELECT count(*) AS n, sum(message_count) AS total FROM conversations WHERE inbox_id = ?', [inboxId]);
  expect(convs).toEqual({ n: TOTAL, total: TOTAL }); // counters never double counted
  const cursor = JSON.parse((await p.deps.store.get<{ cursor: string }>('SELECT cursor FROM connector_cursors WHERE inbox_id = ?', [inboxId]))!.cursor);
  expect(cursor.lastUid).toBe(TOTAL);
}, 60_000);
