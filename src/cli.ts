// Admin commands for whoever runs the server (no API token needed: access to PARLEY_DB is the
// credential). Each prints exactly one JSON line on stdout; errors go to stderr with exit 1.
//   user:create   --email E --name N --role admin|lead|agent [--password P]
//   user:disable  --email E          (tokens and sessions end, open assignments released)
//   user:enable   --email E
//   user:role     --email E --role admin|lead|agent
//   user:password --email E [--password P]   (generated when omitted; ends their sessions)
//   user:tokens   --email E          (id, name, dates; never the values)
//   token:create  --email E [--name N] [--expires-days D]
//   token:revoke  --email E --id TOKEN_ID
//   sessions:end  --email E
//   backup FILE [--blobs DIR]   (while serving)   restore FILE [--blobs DIR]   (server stopped)
//                               (DIR: the files folder, PARLEY_FILES or files/ next to PARLEY_DB)
//   events:prune [--days D]     (see docs/reliability.md)
// Acts other than user:create's first admin are written to the audit log as done by the CLI.
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomToken } from './domain/core/crypto.js';
import { disableUser, enableUser, endSessions, listTokens, revokeToken, updateUser } from './auth/user-admin.js';
import { createUser, issueApiToken } from './auth/users.js';
import type { Actor, Role } from './domain/core/actor.js';
import { auditStmt, type AuditBy } from './domain/core/audit.js';
import { systemClock } from './domain/core/clock.js';
import type { Deps } from './domain/deps.js';
import { AppError } from './domain/core/errors.js';
import { pruneEvents } from './domain/core/retention.js';
import { EventBus } from './domain/events/bus.js';
import { backupStore, restoreStore } from './runtime/backup.js';
import { fsBlobStore } from './runtime/fs-blob-store.js';
import { openSqliteStore, type SqliteStore } from './runtime/sqlite-store.js';
import { createRegistry } from '../connectors/registry.js';
import { createSecretBox } from './domain/core/secret-box.js';
import { resealAll } from './domain/inboxes/secrets-at-rest.js';
import { loadSecretKeys, startRotation } from './runtime/secret-key.js';
import { guardedFetch } from '../connectors/net-guard.js';

const ROLES = ['admin', 'lead', 'agent'] as const;
/** The server's own operator: an admin that is nobody in the users table. */
const CLI_ACTOR: Actor = { id: 'cli', role: 'admin', name: 'CLI', email: '' };
const BY: AuditBy = { actor: null, clientAddress: 'cli' };

const OPTIONS = {
  email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' },
  id: { type: 'string' }, 'expires-days': { type: 'string' },
} as const;

/** Where the server keeps attachment files (src/runtime/node.ts): PARLEY_FILES, else files/ beside the database. */
const filesDirOf = (dbFile: string) => process.env.PARLEY_FILES || join(dirname(dbFile), 'files');

async function open(): Promise<{ store: SqliteStore; deps: Deps }> {
  const dbFile = process.env.PARLEY_DB ?? 'data/parley.db';
  // One command and out: no checkpoint worker.
  const store = openSqliteStore(dbFile, { backgroundCheckpoints: false });
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  const secrets = await createSecretBox(loadSecretKeys(dbFile).keys);
  const deps: Deps = { store, blobs: fsBlobStore(filesDirOf(dbFile)), clock: systemClock, bus: new EventBus(), log, secret: '', secrets, httpFetch: guardedFetch, publicUrl: '', connectors: { get: () => undefined } as never };
  return { store, deps };
}

async function userByEmail(deps: Deps, email: string | undefined): Promise<{ id: string; email: string }> {
  if (!email) throw new AppError(400, 'usage', '--email is required');
  const row = await deps.store.get<{ id: string; email: string }>('SELECT id, email FROM users WHERE email = ?', [email.trim().toLowerCase()]);
  if (!row) throw new AppError(404, 'not_found', `No user with email ${email}`);
  return row;
}

type Values = { [K in keyof typeof OPTIONS]?: string };
const commands: Record<string, (deps: Deps, v: Values) => Promise<unknown>> = {
  async 'user:create'(deps, v) {
    if (!v.email || !v.name || !v.role) throw new AppError(400, 'usage', 'usage: user:create --email E --name N --role admin|lead|agent [--password P]');
    if (!ROLES.includes(v.role as never)) throw new AppError(400, 'usage', `--role must be one of ${ROLES.join(', ')}`);
    if (v.password != null && v.password.length < 8) throw new AppError(400, 'usage', '--password must be at least 8 characters');
    const user = await createUser(deps, { email: v.email, name: v.name, role: v.role as Role, password: v.password });
    const { token } = await issueApiToken(deps, user.id, 'cli', { extra: [auditStmt(deps, BY, { action: 'user.created', targetType: 'user', targetId: user.id, details: { email: user.email, role: user.role } })] });
    return { id: user.id, email: user.email, role: user.role, token };
  },
  async 'user:disable'(deps, v) {
    const u = await userByEmail(deps, v.email);
    const { released } = await disableUser(deps, CLI_ACTOR, BY, u.id);
    return { id: u.id, email: u.email, disabled: true, releasedConversations: released.length };
  },
  async 'user:enable'(deps, v) {
    const u = await userByEmail(deps, v.email);
    await enableUser(deps, CLI_ACTOR, BY, u.id);
    return { id: u.id, email: u.email, disabled: false };
  },
  async 'user:role'(deps, v) {
    const u = await userByEmail(deps, v.email);
    if (!ROLES.includes(v.role as never)) throw new AppError(400, 'usage', `--role must be one of ${ROLES.join(', ')}`);
    const row = await updateUser(deps, CLI_ACTOR, BY, u.id, { role: v.role as Role });
    return { id: u.id, email: u.email, role: row.role };
  },
  async 'user:password'(deps, v) {
    const u = await userByEmail(deps, v.email);
    if (v.password != null && v.password.length < 8) throw new AppError(400, 'usage', '--password must be at least 8 characters');
    const password = v.password ?? randomToken(12);
    await updateUser(deps, CLI_ACTOR, BY, u.id, { password });
    return { id: u.id, email: u.email, ...(v.password ? {} : { password }) };
  },
  async 'user:tokens'(deps, v) {
    const u = await userByEmail(deps, v.email);
    return { id: u.id, email: u.email, tokens: await listTokens(deps, CLI_ACTOR, u.id) };
  },
  async 'token:create'(deps, v) {
    const u = await userByEmail(deps, v.email);
    const days = v['expires-days'] != null ? Number(v['expires-days']) : null;
    if (days != null && !(Number.isInteger(days) && days > 0)) throw new AppError(400, 'usage', '--expires-days must be a whole number of days');
    const expiresAt = days ? deps.clock.now() + days * 86_400_000 : null;
    const name = v.name ?? 'cli';
    const issued = await issueApiToken(deps, u.id, name, { expiresAt });
    await deps.store.atomically([auditStmt(deps, BY, { action: 'token.created', targetType: 'user', targetId: u.id, details: { tokenId: issued.id, name, expiresAt } })]);
    return { id: issued.id, userId: u.id, token: issued.token, expiresAt: expiresAt == null ? null : new Date(expiresAt).toISOString() };
  },
  async 'token:revoke'(deps, v) {
    const u = await userByEmail(deps, v.email);
    if (!v.id) throw new AppError(400, 'usage', 'usage: token:revoke --email E --id TOKEN_ID (ids from user:tokens)');
    await revokeToken(deps, CLI_ACTOR, BY, u.id, v.id);
    return { id: v.id, revoked: true };
  },
  async 'sessions:end'(deps, v) {
    const u = await userByEmail(deps, v.email);
    return { id: u.id, email: u.email, ...(await endSessions(deps, CLI_ACTOR, BY, u.id, null, null)) };
  },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'backup' || command === 'restore') return backupOrRestore(command, rest);
  if (command === 'events:prune') return prune(rest);
  if (command === 'secrets:rotate') return rotateSecrets();
  const run = command ? commands[command] : undefined;
  if (!run) return fail(`unknown command ${command ?? ''}\ncommands: ${[...Object.keys(commands), 'backup', 'restore', 'events:prune', 'secrets:rotate'].join(', ')}`);
  let values: Values;
  try {
    values = parseArgs({ args: rest, options: OPTIONS }).values as Values;
  } catch (err) {
    return fail((err as Error).message);
  }
  const { store, deps } = await open();
  try {
    process.stdout.write(JSON.stringify(await run(deps, values)) + '\n');
    return 0;
  } catch (err) {
    return fail(err instanceof AppError ? err.message : String(err));
  } finally {
    store.close();
  }
}

async function backupOrRestore(command: 'backup' | 'restore', rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { blobs: { type: 'string' } } });
  if (positionals.length !== 1) return fail(`usage: ${command} FILE [--blobs DIR]`);
  const dbFile = process.env.PARLEY_DB ?? 'data/parley.db';
  // The files folder goes with the database by default: the store's rows point into it.
  const blobDir = values.blobs || process.env.PARLEY_BLOB_DIR || filesDirOf(dbFile);
  try {
    const result = command === 'backup' ? await backupStore(dbFile, positionals[0], { blobDir }) : await restoreStore(positionals[0], dbFile, { blobDir });
    process.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  } catch (err) {
    return fail(`${command} failed: ${(err as Error).message}`);
  }
}

async function prune(rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { days: { type: 'string' } } });
  const days = Number(values.days ?? process.env.PARLEY_EVENTS_RETENTION_DAYS ?? 7);
  if (!Number.isFinite(days) || days < 0) return fail('--days must be a number of days (0 or more)');
  const { store, deps } = await open();
  try {
    const pruned = await pruneEvents(deps, days * 86_400_000);
    const size = store.sqlite.prepare('SELECT (page_count - freelist_count) * page_size AS live, page_count * page_size AS file FROM pragma_page_count, pragma_freelist_count, pragma_page_size').get() as { live: number; file: number };
    process.stdout.write(JSON.stringify({ pruned, liveBytes: size.live, fileBytes: size.file }) + '\n');
    return 0;
  } finally {
    store.close();
  }
}

/**
 * Re-seals every stored secret with a new key. Key file mode: a new key is generated and takes
 * over once every row is re-sealed. PARLEY_SECRET_KEY mode: set it to the new key and
 * PARLEY_SECRET_KEY_PREVIOUS to the old one, then run this (a start does the same).
 * Run it with Parley stopped: a running server holds the old key only.
 */
async function rotateSecrets(): Promise<number> {
  const dbFile = process.env.PARLEY_DB ?? 'data/parley.db';
  if (process.env.PARLEY_SECRET_KEY && !process.env.PARLEY_SECRET_KEY_PREVIOUS) {
    return fail('PARLEY_SECRET_KEY is set: put the new key in PARLEY_SECRET_KEY and the old one in PARLEY_SECRET_KEY_PREVIOUS, then run secrets:rotate again');
  }
  const store = openSqliteStore(dbFile, { backgroundCheckpoints: false });
  try {
    const source = process.env.PARLEY_SECRET_KEY ? loadSecretKeys(dbFile) : startRotation(dbFile);
    const box = await createSecretBox(source.keys);
    const resealed = await resealAll({ store, connectors: createRegistry() }, box);
    source.commit();
    process.stdout.write(JSON.stringify({ resealed, keyId: box.currentKeyId, key: source.where }) + '\n');
    return 0;
  } catch (err) {
    return fail(`secrets:rotate failed: ${(err as Error).message}`);
  } finally {
    store.close();
  }
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
