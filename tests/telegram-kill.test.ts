// A 20,000-update Telegram backlog drained by `npm start`'s process, killed with SIGKILL in the
// middle and started again on the same database: every update is stored exactly once, because
// each getUpdates page is committed with its offset in one atomic unit (the offset is what
// confirms updates to Telegram, so an uncommitted page is simply served again).
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../connectors/telegram/fake.js';
import { startTestParley } from './helpers/parley.js';

let fake: TelegramFake;
let dir: string;
let inboxId: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  fake = await startTelegramFake();
  const p = await startTestParley();
  dir = p.dir;
  const r = await p.api.post('/api/v1/inboxes', { name: 'Bot', channel: 'telegram', config: fake.inboxConfig({ pollSeconds: 3600 }) });
  inboxId = r.body.id;
  await p.close(); // the file stays; the server process below uses it
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await fake.close();
  (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
});

function startServer(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node.ts'], {
    cwd: join(import.meta.dirname, '..'), stdio: 'ignore',
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PARLEY_DB: join(dir, 'parley.db'), PARLEY_SECRET: 'test-secret-test-secret', PARLEY_ALLOW_PRIVATE_NETWORK: '1', PARLEY_LOG_LEVEL: 'warn' },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

it('SIGKILL mid-drain, restart: each of 20,000 updates stored once, in order per chat', async () => {
  const TOTAL = 20_000;
  fake.queueBacklog(TOTAL, 200);
  const db = new Database(join(dir, 'parley.db'), { readonly: true });
  const count = () => (db.prepare('SELECT count(*) AS n FROM messages WHERE inbox_id = ?').get(inboxId) as { n: number }).n;
  const until = async (ok: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end && !ok()) await new Promise((r) => setTimeout(r, 10));
    return ok();
  };
  try {
    const first = startServer();
    expect(await until(() => count() >= 3000, 60_000)).toBe(true);
    const exited = new Promise((r) => first.once('exit', (_c, sig) => r(sig)));
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = count();
    expect(atKill).toBeLessThan(TOTAL); // killed in the middle of the backlog
    expect(fake.updates.length).toBeGreaterThan(0);

    startServer();
    expect(await until(() => count() === TOTAL, 60_000)).toBe(true);
    expect(await until(() => fake.held === 1, 10_000)).toBe(true); // caught up: long polling

    const dupes = db.prepare('SELECT count(*) - count(DISTINCT external_id) AS n FROM messages WHERE inbox_id = ?').get(inboxId) as { n: number };
    expect(dupes.n).toBe(0);
    const convs = db.prepare('SELECT count(*) AS n, sum(message_count) AS total, min(message_count) AS lo, max(message_count) AS hi FROM conversations WHERE inbox_id = ?').get(inboxId);
    expect(convs).toEqual({ n: 200, total: TOTAL, lo: TOTAL / 200, hi: TOTAL / 200 });
    // Message ids of one chat come in order; the stored order (created_at, id) follows them.
    const chat = db.prepare("SELECT external_id FROM messages WHERE inbox_id = ? AND conversation_id = (SELECT id FROM conversations WHERE inbox_id = ? AND thread_key = '90000007') ORDER BY created_at, id").all(inboxId, inboxId) as { external_id: string }[];
    const ids = chat.map((m) => Number(m.external_id.split(':')[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(fake.updates).toEqual([]);
  } finally {
    db.close();
  }
}, 120_000);
