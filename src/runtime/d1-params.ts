// D1 binds at most 100 parameters per statement. A statement with more is rewritten to bind ONE
// JSON array and read each parameter from it (json_extract gives back the same text, integer,
// real or NULL), so it stays one statement inside its unit rather than being split into several
// that could not keep its meaning. Bytes cannot travel in JSON and go inline as a blob literal.
export const D1_MAX_PARAMS = 100;

export function fitParams(sql: string, params: unknown[]): { sql: string; params: unknown[] } {
  if (params.length <= D1_MAX_PARAMS) return { sql, params };
  const values: unknown[] = [];
  const slot = (i: number) => {
    const v = params[i];
    if (v instanceof Uint8Array || v instanceof ArrayBuffer) return `X'${hex(v instanceof ArrayBuffer ? new Uint8Array(v) : v)}'`;
    values[i] = typeof v === 'boolean' ? (v ? 1 : 0) : v ?? null;
    return `json_extract(?1, '$[${i}]')`;
  };
  let out = '';
  let next = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      // Quoted text or names: copied as is ('' and "" escape themselves).
      const end = sql.indexOf(ch, i + 1);
      const stop = end < 0 ? sql.length - 1 : end;
      out += sql.slice(i, stop + 1);
      i = stop;
    } else if (ch === '?') {
      let j = i + 1;
      while (j < sql.length && sql[j] >= '0' && sql[j] <= '9') j++;
      const n = j > i + 1 ? Number(sql.slice(i + 1, j)) - 1 : next;
      next = n + 1;
      out += slot(n);
      i = j - 1;
    } else {
      out += ch;
    }
  }
  for (let i = 0; i < params.length; i++) if (!(i in values)) values[i] = null;
  return { sql: out, params: [JSON.stringify(values)] };
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}
