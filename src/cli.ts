// Admin commands. `npm run --silent cli -- user:create --email E --name N --role R [--password P]`
// prints exactly one JSON line on stdout. `backup FILE` (while serving) and `restore FILE`
// (server stopped): see docs/reliability.md.
import { parseArgs } from 'node:util';
import { createApiToken, createUser } from './auth/users.js';
import { systemClock } from './domain/clock.js';
import { AppError } from './domain/errors.js';
import { pruneEvents } from './domain/retention.js';
import { backupStore, restoreStore } from './runtime/backup.js';
import { openSqliteStore } from './runtime/sqlite-store.js';

const ROLES = ['admin', 'lead', 'agent'] as const;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'user:create') {
    const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } } });
    if (!values.email || !values.name || !values.role) return fail('usage: user:create --email E --name N --role admin|lead|agent [--password P]');
    if (!ROLES.includes(values.role as never)) return fail(`--role must be one of ${ROLES.join(', ')}`);
    if (values.password != null && values.password.length < 8) return fail('--password must be at least 8 characters');
    // One command and out: no checkpoint worker.
    const store = openSqliteStore(process.env.PARLEY_DB ?? 'data/parley.db', { backgroundCheckpoints: false });
    try {
      const deps = { store, clock: systemClock };
      const user = await createUser(deps, { email: values.email, name: values.name, role: values.role as (typeof ROLES)[number], password: values.password });
      const token = await createApiToken(deps, user.id, 'cli');
      process.stdout.write(JSON.stringify({ id: user.id, email: user.email, role: user.role, token }) + '\n');
      return 0;
    } catch (err) {
      return fail(err instanceof AppError ? err.message : String(err));
    } finally {
      store.close();
    }
  }
  if (command === 'backup' || command === 'restore') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { blobs: { type: 'string' } } });
    if (positionals.length !== 1) return fail(`usage: ${command} FILE [--blobs DIR]`);
    const dbFile = process.env.PARLEY_DB ?? 'data/parley.db';
    const blobDir = values.blobs ?? process.env.PARLEY_BLOB_DIR;
    try {
      const result = command === 'backup' ? await backupStore(dbFile, positionals[0], { blobDir }) : await restoreStore(positionals[0], dbFile, { blobDir });
      process.stdout.write(JSON.stringify(result) + '\n');
      return 0;
    } catch (err) {
      return fail(`${command} failed: ${(err as Error).message}`);
    }
  }
  if (command === 'events:prune') {
    const { values } = parseArgs({ args: rest, options: { days: { type: 'string' } } });
    const store = openSqliteStore(process.env.PARLEY_DB ?? 'data/parley.db', { backgroundCheckpoints: false });
    try {
      const days = Number(values.days ?? process.env.PARLEY_EVENTS_RETENTION_DAYS ?? 7);
      if (!Number.isFinite(days) || days < 0) return fail('--days must be a number of days (0 or more)');
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      const pruned = await pruneEvents({ store, clock: systemClock, log: quiet } as never, days * 86_400_000);
      const size = store.sqlite.prepare('SELECT (page_count - freelist_count) * page_size AS live, page_count * page_size AS file FROM pragma_page_count, pragma_freelist_count, pragma_page_size').get() as { live: number; file: number };
      process.stdout.write(JSON.stringify({ pruned, liveBytes: size.live, fileBytes: size.file }) + '\n');
      return 0;
    } finally {
      store.close();
    }
  }
  return fail(`unknown command ${command ?? ''}\ncommands: user:create, backup, restore, events:prune`);
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
