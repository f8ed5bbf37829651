// The row types of src/domain/core/rows.ts key each column by its schema key in snake_case and
// type its value as SQLite stores it. Both hold only while the schema names every column that
// way and the migrated database has exactly those columns: checked here against a real file.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTableColumns, getTableName, is, Table } from 'drizzle-orm';
import * as core from '../db/schema.js';
import * as access from '../db/schema/access.js';
import * as assignment from '../db/schema/assignment.js';
import * as assistant from '../db/schema/assistant.js';
import * as canned from '../db/schema/canned.js';
import * as csat from '../db/schema/csat.js';
import * as faq from '../db/schema/faq.js';
import * as platformEvents from '../db/schema/platform-events.js';
import * as retrieval from '../db/schema/retrieval.js';
import * as sla from '../db/schema/sla.js';
import * as webhooks from '../db/schema/webhooks.js';
import { openSqliteStore } from '../src/runtime/sqlite-store.js';
import type { AttachmentRow, InboxRow, MessageRow, RowOf } from '../src/domain/core/rows.js';

const tables = [core, access, assignment, assistant, canned, csat, faq, platformEvents, retrieval, sla, webhooks]
  .flatMap((m) => Object.values(m)).filter((v): v is Table => is(v, Table));
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('row types', () => {
  it('every schema column is named its key in snake_case', () => {
    expect(tables.length).toBeGreaterThan(30);
    const off = tables.flatMap((t) => Object.entries(getTableColumns(t))
      .filter(([key, col]) => col.name !== snake(key)).map(([key, col]) => `${getTableName(t)}.${key} is '${col.name}'`));
    expect(off).toEqual([]);
  });

  it('the migrated database has exactly the columns the row types name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-rows-'));
    const store = openSqliteStore(join(dir, 'rows.db'), { backgroundCheckpoints: false });
    try {
      for (const t of tables) {
        const cols = await store.all<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [getTableName(t)]);
        expect(cols.map((c) => c.name).sort(), getTableName(t)).toEqual(Object.keys(getTableColumns(t)).map(snake).sort());
      }
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('values are typed as the driver returns them', () => {
    expectTypeOf<InboxRow['created_at']>().toEqualTypeOf<number>();
    expectTypeOf<InboxRow['webchat_token']>().toEqualTypeOf<string | null>();
    expectTypeOf<InboxRow['config']>().toEqualTypeOf<string>(); // JSON column: its text
    expectTypeOf<MessageRow['private']>().toEqualTypeOf<number>(); // boolean column: 0/1
    expectTypeOf<MessageRow['direction']>().toEqualTypeOf<'in' | 'out'>();
    expectTypeOf<AttachmentRow['data']>().toEqualTypeOf<Uint8Array | null>();
    expectTypeOf<keyof RowOf<typeof core.teams>>().toEqualTypeOf<'id' | 'name' | 'created_at'>();
  });
});
