// WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside whichever
// COMMIT pushes the WAL past 1,000 pages: that request copies pages into the database file
// and fsyncs, on the one thread that serves every request (in the bench: ~10% of ingest time
// and the slowest webhook answers). Here a second connection in a worker copies them with
// PASSIVE checkpoints (which never block the writer or readers) on the other core, and the
// main connection stops checkpointing by itself. If the worker stops, the main connection
// takes automatic checkpoints back.
//
// The WAL only starts over when a write begins while every frame is already copied. Under a
// steady stream of commits the worker is always a few frames behind, so alone it would let
// the WAL grow without end (a full bench run grew it to 10 GB). So when the worker reports
// a WAL past FINISH_AT_FRAMES, the serving connection finishes the job between two of its
// own units (`afterWrite`): the worker has already copied nearly everything, the main thread
// copies the last frames, and its next write restarts the WAL.
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_EVERY_MS = 200;
const AUTO_CHECKPOINT_PAGES = 1000; // SQLite's default
export const FINISH_AT_FRAMES = 2000;
/** Units after which the main connection checks the WAL itself (see afterWrite). */
export const FINISH_EVERY_WRITES = 1000;

// Plain CommonJS in the worker (eval): no loader needed, so it works under tsx and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
const tick = (id) => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    Atomics.store(workerData.walFrames, 0, r.log);
    if (id) parentPort.postMessage({ id, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    if (id) parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
};
parentPort.on('message', (id) => tick(id));
setInterval(() => tick(0), workerData.everyMs);
`;

export interface Checkpointer {
  /** A checkpoint now, on the worker; resolves with its report (frames in the WAL / copied). */
  now(): Promise<{ log: number; checkpointed: number }>;
  /** Called by the store after each write unit: finishes a checkpoint the worker cannot catch up with. */
  afterWrite(): void;
  stop(): Promise<void>;
}

export function startCheckpointer(sqlite: Database.Database, file: string, everyMs = CHECKPOINT_EVERY_MS): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // The worker's last count of WAL frames, readable without waiting for a message: a bulk
  // import may run unit after unit without ever yielding to the event loop.
  const walFrames = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, everyMs, driver, walFrames } });
  worker.unref();
  sqlite.pragma('wal_autocheckpoint = 0');
  const waiting = new Map<number, { resolve(r: { log: number; checkpointed: number }): void; reject(e: Error): void }>();
  let nextId = 1;
  let stopped = false;
  let writes = 0;
  const takeBack = () => {
    if (stopped) return;
    stopped = true;
    try { sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`); } catch { /* connection already closed */ }
  };
  worker.on('message', (m: { id: number; log?: number; checkpointed?: number; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.reject(new Error(m.error));
    else w?.resolve({ log: m.log ?? 0, checkpointed: m.checkpointed ?? 0 });
  });
  const failAll = () => { for (const w of waiting.values()) w.reject(new Error('checkpointer stopped')); waiting.clear(); };
  worker.on('error', () => { takeBack(); failAll(); });
  worker.on('exit', () => { takeBack(); failAll(); });
  return {
    afterWrite() {
      if (stopped) return;
      // The worker's count can be stale when it is starved of CPU (it lags behind a writer that
      // never yields): every FINISH_EVERY_WRITES units the main connection checks by itself, so
      // the WAL stays bounded however late the worker is.
      writes++;
      if (Atomics.load(walFrames, 0) <= FINISH_AT_FRAMES && writes < FINISH_EVERY_WRITES) return;
      // PASSIVE: returns at once (busy) if the worker is checkpointing. Only a complete one resets
      // the count: a busy or partial one is tried again after the next unit, not 1,000 later (a
      // starved worker holding the checkpoint let the WAL reach 118 MB that way).
      try {
        const [r] = sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
        if (!r.busy && r.checkpointed === r.log) {
          Atomics.store(walFrames, 0, 0);
          writes = 0;
        }
      } catch { /* busy: the next unit tries again */ }
    },
    now: () => new Promise((resolve, reject) => {
      if (stopped) { reject(new Error('checkpointer stopped')); return; }
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage(id);
    }),
    async stop() {
      takeBack();
      await worker.terminate();
    },
  };
}
