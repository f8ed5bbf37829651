// The poller process is killed (SIGKILL, no cleanup) in the middle of importing a mailbox,
// then polling restarts: every message is stored exactly once, because each batch and its
// cursor are committed in one atomic unit and replays are no-ops by Message-ID.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { emailInboxConfig, startTestDovecot } from './helpers/dovecot.js';
import { fixture } from './helpers/fixture.js';
import { createInbox } from './helpers/inboxes.js';
import { startTestParley } from './helpers/parley.js';

const dv = fixture(startTestDovecot);
const p = fixture(() => startTestParley());

it('SIGKILL of the poller process mid-import, then restart: every message exactly once', async () => {
  const TOTAL = 30;
  const inboxId = (await createInbox(p.api, 'email', emailInboxConfig(dv, { batchSize: 3 }), { name: 'Kill test' })).id;
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
