// `cli backup` takes the files folder with the database by default (attachments' bytes live
// there, not in SQLite), and `cli restore` puts both back: a restored store still serves them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { PNG } from './helpers/media.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';
import { startParley } from '../src/runtime/server.js';

let p: TestParley | undefined;
afterAll(async () => { await p?.close(); });

it('backs up the files folder beside the database and restores it', async () => {
  p = await startTestParley();
  const inbox = await p.api.post('/api/v1/inboxes', { name: 'Site', channel: 'webchat', config: {} });
  const session = await apiClient(p.url).post(`/public/webchat/${inbox.body.webchatToken}/sessions`, { name: 'Lin' });
  const form = new FormData();
  form.append('content', 'see this');
  form.append('files', new Blob([PNG as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'error.png');
  const sent = await fetch(`${p.url}/public/webchat/${inbox.body.webchatToken}/messages`, { method: 'POST', headers: { authorization: `Bearer ${session.body.visitorToken}` }, body: form });
  expect(sent.status).toBe(201);
  const attachmentUrl = (await sent.json()).attachments[0].url.replace(/^\/public\/webchat\/[^/]+\/attachments\//, '/api/v1/attachments/');

  const dbFile = join(p.dir, 'parley.db');
  const backupFile = join(p.dir, 'backup.db');
  const made = await runCli(['backup', backupFile], { PARLEY_DB: dbFile, PARLEY_FILES: '', PARLEY_BLOB_DIR: '' });
  expect(made.stderr).toBe('');
  expect(JSON.parse(made.stdout).blobs).toBe(`${backupFile}.blobs`);
  const sha = createHash('sha256').update(PNG).digest('hex');
  expect(readFileSync(join(`${backupFile}.blobs`, sha.slice(0, 2), sha.slice(2, 4), sha))).toEqual(Buffer.from(PNG));

  // Another data folder: the database and its files come back together.
  const restoredDir = join(p.dir, 'restored');
  const restoredDb = join(restoredDir, 'parley.db');
  mkdirSync(restoredDir);
  const restored = await runCli(['restore', backupFile], { PARLEY_DB: restoredDb, PARLEY_FILES: '', PARLEY_BLOB_DIR: '' });
  expect(restored.stderr).toBe('');
  expect(existsSync(join(restoredDir, 'files', sha.slice(0, 2), sha.slice(2, 4), sha))).toBe(true);
  const again = await startParley({ port: 0, dbFile: restoredDb, scheduler: false, secret: 'test-secret-test-secret', log: { debug() {}, info() {}, warn() {}, error() {} } as never });
  try {
    const file = await fetch(`${again.url}${attachmentUrl}`, { headers: { authorization: `Bearer ${p.adminToken}` } });
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PNG);
  } finally {
    await again.close();
    rmSync(restoredDir, { recursive: true, force: true });
  }
});
