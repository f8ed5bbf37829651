// Columns of rows the store hands back untyped: `Store.atomically` returns plain rows for every
// statement (RETURNING lists included), and D1 and better-sqlite3 agree only on the storage
// types. Each read checks the value's type instead of asserting it; a mismatch is a bug in the
// statement, so it throws.
import type { Row } from './store.js';

export function textOf(r: Row, column: string): string {
  const v = r[column];
  if (typeof v !== 'string') throw new TypeError(`column ${column} is not text`);
  return v;
}

export function textOrNullOf(r: Row, column: string): string | null {
  const v = r[column];
  if (v == null) return null;
  if (typeof v !== 'string') throw new TypeError(`column ${column} is not text`);
  return v;
}

export function numberOf(r: Row, column: string): number {
  const v = r[column];
  if (typeof v !== 'number') throw new TypeError(`column ${column} is not a number`);
  return v;
}
