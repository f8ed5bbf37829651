// What every runtime does on an empty or new store: the server secret and the first admin.
import { randomToken } from '../auth/crypto.js';
import { createApiToken, createUser } from '../auth/users.js';
import type { Deps } from '../domain/deps.js';
import type { Store } from '../domain/store.js';

export async function loadSecret(store: Store, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const row = await store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'");
  if (row) return row.value;
  const secret = randomToken(32);
  await store.run("INSERT INTO settings(key, value) VALUES ('secret', ?) ON CONFLICT(key) DO NOTHING", [secret]);
  return (await store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'"))!.value;
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
