// Cloudflare D1 implementation of the store port (Workers). Every `atomically` unit is ONE
// `batch` (D1 runs a batch as one transaction, all or nothing). D1 refuses BEGIN/SAVEPOINT and
// most PRAGMAs, so nothing here issues them; migrations are applied by
// `wrangler d1 migrations apply` from db/migrations, not at start.
import type { D1Database, D1PreparedStatement } from '@cloudflare/workers-types';
import { toStmt, type Row, type Statement, type Store } from '../domain/core/store.js';
import { fitParams } from './d1-params.js';

export interface D1Store extends Store { d1: D1Database }

export function openD1Store(d1: D1Database): D1Store {
  const prepare = (sql: string, params: unknown[]): D1PreparedStatement => {
    const fitted = fitParams(sql, params);
    return d1.prepare(fitted.sql).bind(...fitted.params.map(toD1));
  };
  const rowsOf = (r: { results?: unknown[] }) => ((r.results ?? []) as Row[]).map(bytesBack);
  return {
    d1,
    async atomically(stmts: Statement[]) {
      if (stmts.length === 0) return [];
      const batch = stmts.map((s) => { const { sql, params } = toStmt(s); return prepare(sql, params); });
      return (await d1.batch(batch)).map(rowsOf);
    },
    async all(sql, params = []) { return rowsOf(await prepare(sql, params).all()) as never[]; },
    async get(sql, params = []) { return rowsOf(await prepare(sql, params).all())[0] as never; },
    async run(sql, params = []) { return { changes: (await prepare(sql, params).run()).meta.changes ?? 0 }; },
    async values(sql, params = []) { return (await prepare(sql, params).raw()) as unknown[][]; },
  };
}

// D1 binds string, number, null and ArrayBuffer-backed bytes; booleans as 0/1 like better-sqlite3.
function toD1(p: unknown): unknown {
  if (p === undefined) return null;
  if (typeof p === 'boolean') return p ? 1 : 0;
  if (typeof p === 'bigint') return Number(p);
  if (p instanceof Uint8Array) return p.slice().buffer;
  return p;
}

// D1 hands BLOB columns back as arrays of byte values; the domain reads bytes as Uint8Array.
function bytesBack(row: Row): Row {
  for (const k in row) { const v = row[k]; if (Array.isArray(v)) row[k] = Uint8Array.from(v as number[]); }
  return row;
}
