// SIGTERM with live streams open and a reply being sent: the server stops within 10 s, the
// send in flight finishes and is recorded, unsent replies go back to the queue (not stranded
// under a claim), the streams end cleanly, and the WAL is checkpointed into the file.
import Database from 'better-sqlite3';
import { existsSync, rmSync, statSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { startCallbackFake, type CallbackFake } from '../helpers/callback-fake.js';
import { apiInboxWithConversation } from '../helpers/api-inbox.js';
import { startTestParley } from '../helpers/parley.js';
import { spawnParley, type ParleyProcess } from '../helpers/parley-process.js';

let fake: CallbackFake | undefined;
let child: ParleyProcess | undefined;
let dir = '';
afterAll(async () => {
  await child?.kill('SIGKILL');
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('SIGTERM: graceful stop within 10 s with streams open and a send in flight', async () => {
  fake = await startCallbackFake();
  fake.behave({ kind: 'ok', delayMs: 2_000 });
  const p = await startTestParley();
  dir = p.dir;
  const { conversationId } = await apiInboxWithConversation(p.api, p.url, 'term', fake.url);
  for (let i = 0; i < 3; i++) await p.api.post(`/api/v1/conversations/${conversationId}/messages`, { content: `reply ${i}` });
  const token = p.adminToken;
  await p.close();

  child = await spawnParley(`${dir}/parley.db`);
  const streams = await Promise.all(Array.from({ length: 5 }, () => fetch(`${child!.url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } })));
  expect(streams.every((s) => s.status === 200)).toBe(true);
  const ended = streams.map(async (s) => { const r = s.body!.getReader(); try { for (;;) if ((await r.read()).done) return true; } catch { return false; } });
  while (fake.received.length === 0) await new Promise((r) => setTimeout(r, 50));

  const t0 = Date.now();
  const exit = await child.kill('SIGTERM');
  const took = Date.now() - t0;
  child = undefined;
  console.log(`SIGTERM to exit: ${took} ms`);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(took).toBeLessThan(10_000);
  expect(await Promise.all(ended)).toEqual([true, true, true, true, true]); // ended, not reset

  const walFile = `${dir}/parley.db-wal`;
  expect(!existsSync(walFile) || statSync(walFile).size === 0).toBe(true);
  const db = new Database(`${dir}/parley.db`, { readonly: true });
  const rows = db.prepare('SELECT o.status, m.delivery_status FROM outbox o JOIN messages m ON m.id = o.message_id ORDER BY o.id').all() as { status: string; delivery_status: string }[];
  db.close();
  // The send in flight finished and was recorded; nothing is left claimed or unknown.
  expect(rows.filter((r) => r.status === 'done' && r.delivery_status === 'sent').length).toBe(fake.accepted.length);
  expect(fake.accepted.length).toBeGreaterThanOrEqual(1);
  expect(rows.every((r) => r.status === 'done' || r.status === 'pending')).toBe(true);
}, 60_000);
