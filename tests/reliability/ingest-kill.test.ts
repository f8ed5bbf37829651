// kill -9 during ingest: a Telegram Bot API fake serves a backlog through getUpdates while the
// polling process is SIGKILLed at random moments and restarted. Every message is stored exactly
// once and every conversation's counter equals its messages, because each page, its cursor and
// the counters commit in one unit and a replayed page is a no-op.
// Short by default; RELIABILITY_LONG=1 serves the 100,000 messages.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../../connectors/telegram/fake.js';
import { seededRandom } from '../helpers/parley-process.js';
import { startTestParley } from '../helpers/parley.js';

const LONG = process.env.RELIABILITY_LONG === '1';
const MESSAGES = LONG ? 100_000 : 10_000;
const KILLS = LONG ? 10 : 5;
const CHATS = LONG ? 2_000 : 100;
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);

let fake: TelegramFake | undefined;
let child: ChildProcess | undefined;
let dir = '';
afterAll(async () => {
  child?.kill('SIGKILL');
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startPoller(dbFile: string, inboxId: string): Promise<{ proc: ChildProcess; exited: Promise<unknown> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../helpers/poll-loop.ts'), dbFile, inboxId],
    { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PARLEY_ALLOW_PRIVATE_NETWORK: '1' } });
  const exited = new Promise((r) => proc.once('exit', r));
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => { if (l.includes('"ready"')) resolve({ proc, exited }); });
    void exited.then(() => reject(new Error('poller exited early')));
  });
}

it(`SIGKILL the polling server ${KILLS} times while ${MESSAGES} messages are imported: each stored once, counters exact (seed ${SEED})`, async () => {
  const rand = seededRandom(SEED);
  console.log(`ingest-kill seed ${SEED} (RELIABILITY_SEED to repeat)`);
  fake = await startTelegramFake();
  for (let i = 0; i < MESSAGES; i++) {
    const id = 100_000 + (i % CHATS);
    await fake.customerWrites({ from: { id, first_name: `Customer ${id}` }, text: `message ${i}` });
  }
  const p = await startTestParley();
  dir = p.dir;
  const r = await p.api.post('/api/v1/inboxes', { name: 'Telegram', channel: 'telegram', config: fake.inboxConfig() });
  expect(r.status).toBe(201);
  const inboxId = r.body.id as string;
  await p.close();
  const dbFile = `${dir}/parley.db`;
  const db = new Database(dbFile, { readonly: true });
  const stored = () => (db.prepare('SELECT count(*) AS n FROM messages WHERE inbox_id = ?').get(inboxId) as { n: number }).n;

  let kills = 0;
  while (kills < KILLS) {
    const before = stored();
    const { proc, exited } = await startPoller(dbFile, inboxId);
    child = proc;
    // Killed mid-import: once this run has committed something, at a random moment after.
    for (let i = 0; i < 200 && stored() === before; i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, Math.floor(rand() * (LONG ? 4000 : 400))));
    proc.kill('SIGKILL');
    await exited;
    kills++;
    if (stored() >= MESSAGES) break;
  }
  const midway = stored();
  console.log(`ingest-kill: ${kills} kills, ${midway} of ${MESSAGES} stored before the last restart`);
  expect(kills).toBe(KILLS); // the kills landed before the import was done
  const { proc, exited } = await startPoller(dbFile, inboxId);
  child = proc;
  const deadline = Date.now() + (LONG ? 900_000 : 90_000);
  while (stored() < MESSAGES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 300)); // a page in flight past the total would show as extra rows
  proc.kill('SIGKILL');
  await exited;
  child = undefined;

  const dupes = db.prepare('SELECT external_id, count(*) AS n FROM messages WHERE inbox_id = ? GROUP BY external_id HAVING n > 1').all(inboxId);
  expect(dupes).toEqual([]);
  expect(stored()).toBe(MESSAGES);
  const texts = db.prepare("SELECT count(DISTINCT content) AS n FROM messages WHERE inbox_id = ?").get(inboxId) as { n: number };
  expect(texts.n).toBe(MESSAGES);
  const wrong = db.prepare(`SELECT c.id, c.message_count, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS actual
    FROM conversations c WHERE c.inbox_id = ? AND c.message_count <> (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)`).all(inboxId);
  expect(wrong).toEqual([]);
  expect((db.prepare('SELECT count(*) AS n FROM conversations WHERE inbox_id = ?').get(inboxId) as { n: number }).n).toBe(CHATS);
  db.close();
}, LONG ? 1_200_000 : 180_000);
