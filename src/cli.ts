// Admin commands. `npm run --silent cli -- user:create --email E --name N --role R [--password P]`
// prints exactly one JSON line on stdout.
import { parseArgs } from 'node:util';
import { createApiToken, createUser } from './auth/users.js';
import { systemClock } from './domain/clock.js';
import { AppError } from './domain/errors.js';
import { openSqliteStore } from './runtime/sqlite-store.js';
import { createRegistry } from '../connectors/registry.js';
import { createSecretBox } from './auth/secret-box.js';
import { resealAll } from './domain/secrets-at-rest.js';
import { loadSecretKeys, startRotation } from './runtime/secret-key.js';

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
  if (command === 'secrets:rotate') return rotateSecrets();
  return fail(`unknown command ${command ?? ''}\ncommands: user:create, secrets:rotate`);
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
