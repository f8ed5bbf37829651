// store.atomically(stmts, then): the follow-up statements built from the first ones' rows run
// in the same transaction (ingest stores its events this way), so all or nothing holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { raw } from '../src/domain/store.js';
import { openSqliteStore } from '../src/runtime/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-unit-'));
const store = openSqliteStore(join(dir, 'u.db'), { backgroundCheckpoints: false });
store.sqlite.exec('CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b(a_id INTEGER NOT NULL, note TEXT)');
afterAll(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

describe('atomically with follow-up statements', () => {
  it('builds the follow-up from the rows and returns its rows after the first ones', async () => {
    const rows = await store.atomically([raw("INSERT INTO a(v) VALUES ('x'), ('y') RETURNING id, v")], ([inserted]) =>
      inserted.map((r) => raw('INSERT INTO b(a_id, note) VALUES (?, ?) RETURNING a_id', r.id, `after ${r.v}`)));
    expect(rows).toHaveLength(3);
    expect(rows[1][0].a_id).toBe(rows[0][0].id);
    expect(await store.all('SELECT note FROM b ORDER BY a_id')).toEqual([{ note: 'after x' }, { note: 'after y' }]);
  });

  it('rolls the first statements back when the follow-up fails', async () => {
    const before = (await store.get<{ n: number }>('SELECT count(*) AS n FROM a'))!.n;
    await expect(store.atomically([raw("INSERT INTO a(v) VALUES ('z')")], () => [raw('INSERT INTO b(a_id) VALUES (NULL)')])).rejects.toThrow(/NOT NULL/);
    await expect(store.atomically([raw("INSERT INTO a(v) VALUES ('z')")], () => { throw new Error('building failed'); })).rejects.toThrow('building failed');
    expect((await store.get<{ n: number }>('SELECT count(*) AS n FROM a'))!.n).toBe(before);
  });
});
