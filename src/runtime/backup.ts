// Online backup and restore of the SQLite store (Node only).
// backup: SQLite's online backup API copies a consistent snapshot while Parley keeps serving
// (other processes keep writing; WAL readers never block writers), then the copy is checked
// and stamped with when it was taken. Attachment bytes live in the blob folder (PARLEY_FILES),
// copied beside it (FILE.blobs/) after the database: every blob a copied row names was written
// before that row, so the later folder copy covers it.
// restore: copies a backup over PARLEY_DB (the server must be stopped). Replies that were
// still queued or in flight at backup time may have gone out after it: they become `unknown`
// (an agent checks, then retries), never re-sent blindly. Poll cursors come back with the
// store, and messages are unique per platform id, so mail already stored is not imported twice.
import Database from 'better-sqlite3';
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';

export interface BackupResult { file: string; bytes: number; takenAt: string; tookMs: number; blobs?: string }

export async function backupStore(dbFile: string, target: string, opts: { blobDir?: string } = {}): Promise<BackupResult> {
  const t0 = Date.now();
  if (existsSync(target)) throw new Error(`${target} exists; choose a new file`);
  const src = new Database(dbFile, { fileMustExist: true });
  src.pragma('busy_timeout = 5000');
  try {
    // After the first step, the rest in one step: one read snapshot, so a busy store that keeps
    // writing cannot restart the copy forever.
    await src.backup(target, { progress: () => 1_000_000 });
  } finally {
    src.close();
  }
  const copy = new Database(target);
  const takenAt = Date.now();
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed its check: ${String(check)}`);
    copy.prepare("INSERT INTO settings(key, value) VALUES ('backup_taken_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(takenAt));
    copy.pragma('journal_mode = DELETE'); // one self-contained file
  } catch (err) {
    copy.close();
    rmSync(target, { force: true });
    throw err;
  }
  copy.close();
  let blobs: string | undefined;
  if (opts.blobDir && existsSync(opts.blobDir)) {
    blobs = `${target}.blobs`;
    cpSync(opts.blobDir, blobs, { recursive: true, errorOnExist: true });
  }
  return { file: target, bytes: statSync(target).size, takenAt: new Date(takenAt).toISOString(), tookMs: Date.now() - t0, ...(blobs ? { blobs } : {}) };
}

export interface RestoreResult { file: string; takenAt: string | null; repliesMarkedUnknown: number }

export async function restoreStore(backupFile: string, dbFile: string, opts: { blobDir?: string } = {}): Promise<RestoreResult> {
  const src = new Database(backupFile, { readonly: true, fileMustExist: true });
  const takenAt = (src.prepare("SELECT value FROM settings WHERE key = 'backup_taken_at'").get() as { value: string } | undefined)?.value ?? null;
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  try {
    await src.backup(dbFile);
  } finally {
    src.close();
  }
  const db = new Database(dbFile);
  let marked = 0;
  try {
    db.pragma('journal_mode = WAL');
    const when = takenAt ? new Date(Number(takenAt)).toISOString() : 'an unknown time';
    const reason = `Restored from a backup taken at ${when}: this reply may have been sent after the backup. Check the conversation on the platform, then retry only if it is missing.`;
    db.transaction(() => {
      const rows = db.prepare("UPDATE outbox SET status = 'unknown', lock_token = NULL, locked_until = NULL, last_error = ? WHERE status IN ('pending', 'claimed', 'sending') RETURNING message_id").all(reason) as { message_id: string }[];
      const mark = db.prepare("UPDATE messages SET delivery_status = 'unknown', error = ? WHERE id = ?");
      for (const r of rows) mark.run(reason, r.message_id);
      marked = rows.length;
      db.prepare("DELETE FROM settings WHERE key = 'backup_taken_at'").run();
    })();
  } finally {
    db.close();
  }
  if (opts.blobDir && existsSync(`${backupFile}.blobs`)) {
    rmSync(opts.blobDir, { recursive: true, force: true });
    cpSync(`${backupFile}.blobs`, opts.blobDir, { recursive: true });
  }
  return { file: dbFile, takenAt: takenAt ? new Date(Number(takenAt)).toISOString() : null, repliesMarkedUnknown: marked };
}
