// A local D1 (workerd's SQLite, through Miniflare) used from Node: the D1 store's own tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import type { D1Database } from '@cloudflare/workers-types';

export async function localD1(opts: { migrations?: boolean } = {}): Promise<{ d1: D1Database; stop(): Promise<void> }> {
  const mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null) } }', d1Databases: { DB: 'test-db' }, d1Persist: false });
  const d1 = (await mf.getD1Database('DB')) as unknown as D1Database;
  if (opts.migrations !== false) {
    // What `wrangler d1 migrations apply` runs: each file's statements, in file order.
    const dir = join(import.meta.dirname, '../../db/migrations');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql')).sort()) {
      const stmts = readFileSync(join(dir, f), 'utf8').split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean);
      await d1.batch(stmts.map((s) => d1.prepare(s)));
    }
  }
  return { d1, stop: () => mf.dispose() };
}
