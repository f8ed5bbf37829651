// The store port. Domain code talks to SQLite through this and nothing else, so the same
// code runs on better-sqlite3 (Node) and D1 (Workers). D1 has no interactive transactions,
// only batches, hence `atomically` takes a list of statements rather than a callback: every
// atomic unit is shaped to run as one batch (ON CONFLICT, RETURNING, subqueries).

export type Row = Record<string, unknown>;
export interface Stmt { sql: string; params: unknown[] }
/** A raw statement or anything drizzle can render (`db.insert(...)...`). */
export type Statement = Stmt | { toSQL(): { sql: string; params: unknown[] } };

export interface Store {
  /**
   * Runs the statements as one all-or-nothing unit (a better-sqlite3 transaction, ONE D1
   * batch); returns each statement's rows. No statement can be built from another's results:
   * a D1 batch is sent whole, so later statements find earlier writes by ids made up front
   * and subqueries.
   */
  atomically(stmts: Statement[]): Promise<Row[][]>;
  all<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: unknown[]): Promise<T | undefined>;
  run(sql: string, params?: unknown[]): Promise<{ changes: number }>;
  /**
   * Optional: rows as arrays of column values in SELECT order (better-sqlite3 `.raw()`, D1
   * `.raw()`), for hot reads where building a keyed object per row costs more than the query.
   * Callers fall back to `all` when a store lacks it.
   */
  values?(sql: string, params?: unknown[]): Promise<unknown[][]>;
}

export function toStmt(s: Statement): Stmt {
  return 'toSQL' in s ? s.toSQL() : s;
}

export const raw = (sql: string, ...params: unknown[]): Stmt => ({ sql, params });
