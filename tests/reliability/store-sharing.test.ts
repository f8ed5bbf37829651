// Two Parley processes on one store (PARLEY_SECRET shared) and CLI commands writing meanwhile:
// no SQLITE_BUSY (nor any 5xx) reaches a client. Then `cli backup` while both serve, and
// `cli restore` into a fresh store: it serves the same conversations, does not import
// messages again, and re-sends no reply (replies still queued at backup time become unknown).
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { parleySignature } from '../../connectors/api/index.js';
import { startCallbackFake, type CallbackFake } from '../helpers/callback-fake.js';
import { API_SECRET, apiInboxWithConversation } from '../helpers/api-inbox.js';
import { runCli } from '../helpers/cli.js';
import { apiClient, startTestParley } from '../helpers/parley.js';
import { spawnParley, type ParleyProcess } from '../helpers/parley-process.js';

let fake: CallbackFake | undefined;
const children: ParleyProcess[] = [];
let dir = '';
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function webhook(url: string, inboxId: string, i: number) {
  const body = JSON.stringify({ messageId: `w${i}`, conversationId: `thread-${i % 40}`, contact: { id: `cust-${i % 40}` }, content: `webhook ${i}` });
  const ts = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${url}/webhooks/${inboxId}`, { method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-parley-timestamp': ts, 'x-parley-signature': await parleySignature(API_SECRET, ts, body) } });
  return { status: res.status, text: await res.text() };
}

it('two processes and the CLI on one store: no SQLITE_BUSY; backup while serving, restore serves the same and re-sends nothing', async () => {
  fake = await startCallbackFake();
  const p = await startTestParley();
  dir = p.dir;
  const dbFile = `${dir}/parley.db`;
  const { inboxId, conversationId } = await apiInboxWithConversation(p.api, p.url, 'shared', fake.url);
  const token = p.adminToken;
  await p.close();

  const [a, b] = [await spawnParley(dbFile), await spawnParley(dbFile)];
  children.push(a, b);
  const results: { status: number; text: string }[] = [];
  const N = 400;
  const load = (async () => {
    for (let i = 0; i < N; i += 8) {
      const batch = Array.from({ length: 8 }, (_, k) => i + k).map((j) => (j % 2 ? webhook(a.url, inboxId, j) : webhook(b.url, inboxId, j)));
      const replies = [a, b].map((s, k) => apiClient(s.url, token).post(`/api/v1/conversations/${conversationId}/messages`, { content: `reply ${i}-${k}` })
        .then((r) => ({ status: r.status, text: JSON.stringify(r.body) })));
      const lists = [a, b].map((s) => apiClient(s.url, token).get('/api/v1/conversations?limit=50').then((r) => ({ status: r.status, text: '' })));
      results.push(...await Promise.all([...batch, ...replies, ...lists]));
    }
  })();
  const cli: { code: number | null; stderr: string }[] = [];
  const cliLoad = (async () => {
    for (let i = 0; i < 4; i++) cli.push(await runCli(['user:create', '--email', `cli${i}@test.local`, '--name', `Cli ${i}`, '--role', 'agent'], { PARLEY_DB: dbFile }));
  })();
  // Backup while both serve and the load runs.
  await new Promise((r) => setTimeout(r, 500));
  const backupFile = `${dir}/backup.db`;
  const backup = await runCli(['backup', backupFile], { PARLEY_DB: dbFile });
  await Promise.all([load, cliLoad]);
  expect(backup.stderr).toBe('');
  expect(backup.code).toBe(0);
  const made = JSON.parse(backup.stdout);
  console.log(`backup while serving: ${made.bytes} bytes in ${made.tookMs} ms`);

  const bad = results.filter((r) => r.status >= 500 || /SQLITE_BUSY|database is locked/i.test(r.text));
  expect(bad).toEqual([]);
  expect(results.filter((r) => r.status >= 400)).toEqual([]);
  expect(cli.map((c) => c.code)).toEqual([0, 0, 0, 0]);
  expect(cli.map((c) => c.stderr).join('')).toBe('');

  // Let both deliver what is queued, then stop them.
  const live = new Database(dbFile, { readonly: true });
  for (let i = 0; i < 100 && (live.prepare("SELECT count(*) AS n FROM outbox WHERE status <> 'done'").get() as { n: number }).n > 0; i++) await new Promise((r) => setTimeout(r, 200));
  live.close();
  await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
  children.length = 0;
  // Each reply went out once although two processes were delivering.
  expect(new Set(fake.received).size).toBe(fake.received.length);

  // What the backup holds.
  const snap = new Database(backupFile, { readonly: true });
  const convIds = (snap.prepare('SELECT id FROM conversations ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  const msgCount = (snap.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  const queued = (snap.prepare("SELECT count(*) AS n FROM outbox WHERE status <> 'done'").get() as { n: number }).n;
  snap.close();
  expect(convIds.length).toBeGreaterThan(1);

  const restoredFile = `${dir}/restored.db`;
  const restore = await runCli(['restore', backupFile], { PARLEY_DB: restoredFile });
  expect(restore.code).toBe(0);
  expect(JSON.parse(restore.stdout).repliesMarkedUnknown).toBe(queued);

  const sentBefore = fake.received.length;
  const r = await spawnParley(restoredFile);
  children.push(r);
  const api = apiClient(r.url, token);
  const ids: string[] = [];
  for (let cursor: string | null = ''; cursor !== null;) {
    const page: { status: number; body: any } = await api.get(`/api/v1/conversations?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    ids.push(...page.body.data.map((c: { id: string }) => c.id));
    cursor = page.body.nextCursor;
  }
  expect(ids.sort()).toEqual(convIds);
  // The same webhooks again (a platform retrying): stored once already, nothing new.
  for (let i = 0; i < 40; i++) expect((await webhook(r.url, inboxId, i)).status).toBe(200);
  await new Promise((res) => setTimeout(res, 3_000)); // outbox ticks: nothing may go out
  await r.kill('SIGTERM');
  children.length = 0;
  expect(fake.received.length).toBe(sentBefore);
  const after = new Database(restoredFile, { readonly: true });
  const restoredMsgs = (after.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  const dupes = after.prepare('SELECT inbox_id, external_id, count(*) AS n FROM messages WHERE external_id IS NOT NULL GROUP BY inbox_id, external_id HAVING n > 1').all();
  const unknown = after.prepare("SELECT error FROM messages WHERE delivery_status = 'unknown'").all() as { error: string }[];
  after.close();
  // The replays of webhooks the backup already held stored nothing; none is in twice.
  expect(dupes).toEqual([]);
  expect(restoredMsgs).toBe(msgCount);
  expect(unknown.length).toBe(queued);
  for (const u of unknown) expect(u.error).toMatch(/Restored from a backup taken at .*retry only if it is missing/);
}, 180_000);
