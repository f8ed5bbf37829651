// better-sqlite3 implementation of the store port (Node only).
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from '../../db/schema.js';
import { startCheckpointer, type Checkpointer } from './wal-checkpointer.js';
import { toStmt, type Row, type Statement, type Store } from '../domain/core/store.js';

const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../db/migrations');

// Domain code passes Uint8Array (Web standard); better-sqlite3 binds only Buffer.
const toDriver = (p: unknown) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p);

/** What the WAL file is cut back to when it starts over (steady state: a few MB). */
export const WAL_SIZE_LIMIT_BYTES = 32 * 1024 * 1024;

export interface SqliteStore extends Store { sqlite: Database.Database; checkpointer: Checkpointer | null; close(): void }
export interface SqliteStoreOptions {
  /** WAL checkpoints on a worker thread (default for files; see wal-checkpointer.ts). */
  backgroundCheckpoints?: boolean;
  checkpointEveryMs?: number;
}

export function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Each time the WAL starts over, a file grown past this is cut back to it: a burst the
  // checkpoints could not keep up with (a disk stalled in fsync) does not keep its size on disk.
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  // 32 MB of page cache: the OS keeps the file's pages anyway, and at 1M messages a 64 MB
  // cache cost ~32 MB more resident memory with no measurable gain for list or search
  // (docs/performance.md, peak RSS).
  sqlite.pragma('cache_size = -32768');
  const orm = drizzle(sqlite, { schema });
  migrate(orm, { migrationsFolder });
  const checkpointer = file !== ':memory:' && opts.backgroundCheckpoints !== false ? startCheckpointer(sqlite, resolve(file), opts.checkpointEveryMs) : null;

  // Prepared statements are reused: the hot paths (ingest, list) run the same SQL millions of times.
  // better-sqlite3 cannot bind numbered parameters (?1) from an array, which D1 and the
  // domain's SQL use; such statements are rewritten to named ones (@p1) bound from an object.
  const cache = new Map<string, { st: Database.Statement; numbered: boolean }>();
  const prepareEntry = (sql: string) => {
    let e = cache.get(sql);
    if (!e) {
      const numbered = /\?\d/.test(sql);
      e = { st: sqlite.prepare(numbered ? sql.replace(/\?(\d+)/g, '@p$1') : sql), numbered };
      cache.set(sql, e);
    }
    return e;
  };
  const bind = (sql: string, params: unknown[]): [Database.Statement, unknown[]] => {
    const e = prepareEntry(sql);
    const values = params.map(toDriver);
    return [e.st, e.numbered ? [Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]))] : values];
  };
  const prepare = (sql: string) => prepareEntry(sql).st;
  const exec = (s: Statement): Row[] => {
    const { sql, params } = toStmt(s);
    const [st, args] = bind(sql, params);
    if (st.reader) return st.all(...args) as Row[];
    st.run(...args);
    return [];
  };
  const unit = sqlite.transaction((stmts: Statement[]) => stmts.map(exec));

  return {
    sqlite,
    checkpointer,
    async atomically(stmts) {
      // BEGIN IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before the first
      // read, so a unit that reads then writes can never fail with SQLITE_BUSY_SNAPSHOT when
      // another process (or the CLI) wrote meanwhile. A lock still held past the timeout is
      // waited for again without blocking the event loop, a few times, before giving up.
      for (let attempt = 1; ; attempt++) {
        try {
          const rows = unit.immediate(stmts);
          checkpointer?.afterWrite();
          return rows;
        } catch (err) {
          if (!isBusy(err) || attempt >= BUSY_RETRIES) throw err;
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      }
    },
    async all(sql, params = []) { const [st, a] = bind(sql, params); return st.all(...a) as never[]; },
    async get(sql, params = []) { const [st, a] = bind(sql, params); return st.get(...a) as never; },
    async run(sql, params = []) {
      const [st, a] = bind(sql, params);
      for (let attempt = 1; ; attempt++) {
        try {
          const changes = st.run(...a).changes;
          checkpointer?.afterWrite();
          return { changes };
        } catch (err) {
          if (!isBusy(err) || attempt >= BUSY_RETRIES) throw err;
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      }
    },
    async values(sql, params = []) {
      const [st, a] = bind(sql, params);
      st.raw(true);
      try { return st.all(...a) as unknown[][]; } finally { st.raw(false); }
    },
    close() {
      void checkpointer?.stop();
      // Leave no WAL behind (a backup or copy of the file alone is then complete).
      try { sqlite.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* busy: SQLite checkpoints on the last close */ }
      sqlite.close();
    },
  };
}

const BUSY_RETRIES = 4;
const isBusy = (err: unknown) => typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_BUSY');
