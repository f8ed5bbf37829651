// What every runtime does on an empty or new store: the server secret and the first admin.
import { randomToken } from '../domain/core/crypto.js';
import type { SecretBox } from '../domain/core/secret-box.js';
import { createApiToken, createUser } from '../auth/users.js';
import type { Deps } from '../domain/deps.js';
import type { Store } from '../domain/core/store.js';

/** The server secret: PARLEY_SECRET, or generated once and stored sealed. */
export async function loadSecret(store: Store, box: SecretBox, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const row = await store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'");
  if (row) return box.open(row.value);
  await store.run("INSERT INTO settings(key, value) VALUES ('secret', ?) ON CONFLICT(key) DO NOTHING", [await box.seal(randomToken(32))]);
  return box.open((await store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'"))!.value);
}

/** Creates the admin on a store without users; returns the login to show once, else undefined. */
export async function bootstrapAdmin(deps: Deps, opts: { email?: string; password?: string }): Promise<{ email: string; password: string; token: string } | undefined> {
  const count = await deps.store.get<{ n: number }>('SELECT count(*) AS n FROM users');
  if (count!.n !== 0) return undefined;
  const email = opts.email ?? 'admin@localhost';
  const password = opts.password ?? randomToken(12);
  const user = await createUser(deps, { email, name: 'Admin', role: 'admin', password });
  return { email, password, token: await createApiToken(deps, user.id, 'bootstrap') };
}
