// The store port's contract, on better-sqlite3 and on D1 (workerd's SQLite through Miniflare):
// a unit is all or nothing, each statement's rows come back in order, and a statement over
// D1's 100-parameter limit still runs as one statement.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, type Store } from '../src/domain/core/store.js';
import { openD1Store } from '../src/runtime/d1-store.js';
import { openSqliteStore } from '../src/runtime/sqlite-store.js';
import { localD1 } from './helpers/d1.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-unit-'));
const stores: Record<string, Store> = {};
let stopD1: () => Promise<void>;
beforeAll(async () => {
  const sqlite = openSqliteStore(join(dir, 'u.db'), { backgroundCheckpoints: false });
  stores.sqlite = sqlite;
  const d1 = await localD1({ migrations: false });
  stopD1 = async () => { sqlite.close(); await d1.stop(); };
  stores.d1 = openD1Store(d1.d1);
  for (const s of Object.values(stores)) {
    await s.run('CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT)');
    await s.run('CREATE TABLE b(a_id INTEGER NOT NULL, note TEXT, data BLOB)');
  }
}, 60_000);
afterAll(async () => { await stopD1(); rmSync(dir, { recursive: true, force: true }); });

describe.each(['sqlite', 'd1'])('store on %s', (kind) => {
  const store = () => stores[kind];

  it('returns each statement\'s rows; later statements see earlier writes', async () => {
    const rows = await store().atomically([
      raw("INSERT INTO a(v) VALUES ('x'), ('y') RETURNING id, v"),
      raw("INSERT INTO b(a_id, note) SELECT id, 'after ' || v FROM a WHERE v IN ('x', 'y') RETURNING a_id"),
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[1].map((r) => r.a_id).sort()).toEqual(rows[0].map((r) => r.id).sort());
    expect(await store().all("SELECT note FROM b WHERE note LIKE 'after %' ORDER BY a_id")).toEqual([{ note: 'after x' }, { note: 'after y' }]);
  });

  it('rolls the earlier statements back when a later one fails', async () => {
    const before = (await store().get<{ n: number }>('SELECT count(*) AS n FROM a'))!.n;
    await expect(store().atomically([raw("INSERT INTO a(v) VALUES ('z')"), raw('INSERT INTO b(a_id) VALUES (NULL)')])).rejects.toThrow(/NOT NULL/);
    expect((await store().get<{ n: number }>('SELECT count(*) AS n FROM a'))!.n).toBe(before);
  });

  it('runs a statement with 150 parameters (numbered and plain, text with ? in quotes, bytes)', async () => {
    const vals = Array.from({ length: 148 }, (_, i) => `v${i}`);
    const rows = await store().all(`SELECT '?' AS q, count(*) AS n FROM (SELECT 'v3' AS v UNION ALL SELECT 'v147' UNION ALL SELECT 'w') WHERE v IN (${vals.map(() => '?').join(', ')})`, vals);
    expect(rows).toEqual([{ q: '?', n: 2 }]);
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const [inserted] = await store().atomically([raw(`INSERT INTO b(a_id, note, data) SELECT ?1, ?2, ?3 WHERE ?4 IN (${vals.map((_, i) => `?${i + 5}`).join(', ')}) RETURNING a_id, note, data`,
      7, "it's", bytes, 'v147', ...vals)]);
    expect(inserted).toHaveLength(1);
    expect(inserted[0].note).toBe("it's");
    expect(new Uint8Array(inserted[0].data as Uint8Array)).toEqual(bytes);
  });

  it('reports changes and reads rows as value arrays', async () => {
    expect(await store().run("UPDATE a SET v = v WHERE v = 'x'")).toEqual({ changes: 1 });
    expect(await store().values!("SELECT v, 1 FROM a WHERE v = 'x'")).toEqual([['x', 1]]);
  });
});
