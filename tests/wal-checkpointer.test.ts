// WAL checkpoints run on a worker thread: the serving connection never checkpoints by itself
// while the worker runs, the worker keeps the WAL from growing, and the main connection takes
// checkpoints back when the worker stops.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/runtime/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('background WAL checkpoints', () => {
  it('checkpoints on the worker and restarts the WAL instead of growing it', async () => {
    const file = join(dir, 'a.db');
    // Only the checkpoints asked for here: the timer's would make the frame counts vary.
    const store = openSqliteStore(file, { checkpointEveryMs: 3_600_000 });
    try {
      expect(store.checkpointer).not.toBeNull();
      expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      store.sqlite.exec('CREATE TABLE scratch(x BLOB)');
      const ins = store.sqlite.prepare('INSERT INTO scratch(x) VALUES (?)');
      // ~2,000 commits of a 4 KB row: over SQLite's 1,000-page automatic checkpoint point.
      for (let i = 0; i < 2000; i++) ins.run(Buffer.alloc(4096, i % 256));
      const first = await store.checkpointer!.now();
      expect(first.log).toBeGreaterThan(1000);
      expect(first.checkpointed).toBe(first.log);
      const walAfterBurst = statSync(`${file}-wal`).size;
      // All frames copied: the next writes start the WAL over rather than appending.
      for (let i = 0; i < 2000; i++) ins.run(Buffer.alloc(4096, i % 256));
      const second = await store.checkpointer!.now();
      expect(second.checkpointed).toBe(second.log);
      expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(walAfterBurst * 1.1);
      expect((store.sqlite.prepare('SELECT count(*) AS n FROM scratch').get() as { n: number }).n).toBe(4000);
    } finally {
      store.close();
    }
  });

  it('checkpoints on its own timer', async () => {
    const store = openSqliteStore(join(dir, 'd.db'), { checkpointEveryMs: 50 });
    try {
      store.sqlite.exec('CREATE TABLE scratch(x BLOB)');
      const ins = store.sqlite.prepare('INSERT INTO scratch(x) VALUES (?)');
      for (let i = 0; i < 1500; i++) ins.run(Buffer.alloc(4096, 1));
      await new Promise((r) => setTimeout(r, 400));
      ins.run(Buffer.alloc(16, 2));
      // Had nobody checkpointed, the WAL would hold 1,500+ frames; the write restarted it.
      const [r] = store.sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      expect(r.log).toBeLessThan(10);
    } finally {
      store.close();
    }
  });

  it('keeps the WAL bounded under a steady stream of commits', async () => {
    const file = join(dir, 'e.db');
    const store = openSqliteStore(file, { checkpointEveryMs: 20 });
    try {
      store.sqlite.exec('CREATE TABLE scratch(x BLOB)');
      const sizes: number[] = [];
      // ~60 MB in 15,000 commits, never pausing longer than one event-loop turn.
      for (let i = 0; i < 15_000; i++) {
        await store.atomically([{ sql: 'INSERT INTO scratch(x) VALUES (?)', params: [new Uint8Array(4096).fill(i % 256)] }]);
        if (i % 100 === 0) {
          await new Promise((r) => setImmediate(r));
          sizes.push(statSync(`${file}-wal`).size);
        }
      }
      // Without the main connection finishing checkpoints the WAL held every frame (~190 MB
      // here, so most samples over 40 MB); with it, 10-20 MB. The file is cut back to
      // WAL_SIZE_LIMIT_BYTES (sqlite-store.ts) when it starts over, so a disk stalling the checkpoint for a moment
      // (once seen in CI: 94 MB at the peak) shows as a few samples, not as every later one.
      const over = sizes.filter((b) => b > 40 * 1024 * 1024).length;
      expect(over / sizes.length).toBeLessThan(0.25);
      console.log(`WAL samples: median ${(sizes.sort((a, b) => a - b)[sizes.length >> 1] / 1048576).toFixed(1)} MB, largest ${(sizes.at(-1)! / 1048576).toFixed(1)} MB, ${over} of ${sizes.length} over 40 MB`);
    } finally {
      store.close();
    }
  });

  it('gives automatic checkpoints back to the main connection when the worker stops', async () => {
    const store = openSqliteStore(join(dir, 'b.db'));
    try {
      await store.checkpointer!.stop();
      expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      await expect(store.checkpointer!.now()).rejects.toThrow(/stopped/);
    } finally {
      store.close();
    }
  });

  it('is off for in-memory stores and when asked', () => {
    const mem = openSqliteStore(':memory:');
    const off = openSqliteStore(join(dir, 'c.db'), { backgroundCheckpoints: false });
    try {
      expect(mem.checkpointer).toBeNull();
      expect(off.checkpointer).toBeNull();
      expect(off.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      mem.close();
      off.close();
    }
  });
});
