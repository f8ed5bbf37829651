// Builds a running Parley on Node: SQLite store, deps, HTTP server, node-cron jobs.
// Used by `npm start`, the demo, and the tests (port 0, own db file).
import { createSecretBox, type SecretBox } from '../auth/secret-box.js';
import { resealAll } from '../domain/secrets-at-rest.js';
import { loadSecretKeys } from './secret-key.js';
import { guardedFetch } from '../../connectors/net-guard.js';
import { serve, type ServerType } from '@hono/node-server';
import cron from 'node-cron';
import type { AddressInfo } from 'node:net';
import { createRegistry, type Registry } from '../../connectors/registry.js';
import { createApp, type AppOptions } from '../app.js';
import { installNodeHmac } from './node-hmac.js';
import { randomToken } from '../auth/crypto.js';
import { createApiToken, createUser } from '../auth/users.js';
import { sessionResolver } from '../auth/sessions.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { Deps, Logger } from '../domain/deps.js';
import { deliverDueOutbox } from '../domain/outbox.js';
import { guarded, jobs } from '../domain/jobs.js';
import { EventBus } from '../events/bus.js';
import { jiebaSegmenter } from './jieba-segmenter.js';
import { createLogger } from './logger.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { extraApiModules, installWorkflow } from './modules.js';

export interface StartOptions {
  port?: number;
  host?: string;
  dbFile?: string;
  publicUrl?: string;
  secret?: string;
  clock?: Clock;
  connectors?: Registry;
  log?: Logger;
  /** Run the node-cron jobs (off in tests that drive jobs by hand). */
  scheduler?: boolean;
  bootstrapAdmin?: { email: string; password?: string } | false;
  app?: AppOptions;
}

export interface Running {
  url: string;
  port: number;
  deps: Deps;
  store: SqliteStore;
  admin?: { email: string; password: string; token: string };
  close(): Promise<void>;
}

/** The server secret: PARLEY_SECRET, or generated once and stored sealed. */
export async function loadSecret(store: SqliteStore, box: SecretBox, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const row = await store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'");
  if (row) return box.open(row.value);
  await store.run("INSERT INTO settings(key, value) VALUES ('secret', ?) ON CONFLICT(key) DO NOTHING", [await box.seal(randomToken(32))]);
  return box.open((await store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'"))!.value);
}

/** The key ring for secrets at rest, with every stored secret re-sealed under its current key. */
export async function openSecrets(store: SqliteStore, connectors: Registry, dbFile: string): Promise<SecretBox> {
  const source = loadSecretKeys(dbFile);
  const box = await createSecretBox(source.keys);
  // Plaintext rows from before (migration) and rows of a previous key (rotation) are re-sealed.
  await resealAll({ store, connectors }, box);
  source.commit();
  return source.keys.length > 1 ? createSecretBox(source.keys.slice(0, 1)) : box;
}

export async function startParley(opts: StartOptions = {}): Promise<Running> {
  installNodeHmac();
  const log = opts.log ?? createLogger();
  const dbFile = opts.dbFile ?? 'data/parley.db';
  const store = openSqliteStore(dbFile);
  const connectors = opts.connectors ?? createRegistry();
  const secrets = await openSecrets(store, connectors, dbFile);
  const secret = await loadSecret(store, secrets, opts.secret);
  const bus = new EventBus((err, e) => log.error({ event: e.type, err: (err as Error).message }, 'event listener failed'));
  const deps: Deps = {
    store, bus, log, secret, secrets, connectors,
    clock: opts.clock ?? systemClock,
    publicUrl: opts.publicUrl ?? '',
    segmenter: jiebaSegmenter(),
    allowPrivateNetwork: process.env.PARLEY_ALLOW_PRIVATE_NETWORK === '1',
    httpFetch: guardedFetch,
  };

  let admin: Running['admin'];
  if (opts.bootstrapAdmin !== false) {
    const count = await store.get<{ n: number }>('SELECT count(*) AS n FROM users');
    if (count!.n === 0) {
      const email = opts.bootstrapAdmin?.email ?? 'admin@localhost';
      const password = opts.bootstrapAdmin?.password ?? randomToken(12);
      const user = await createUser(deps, { email, name: 'Admin', role: 'admin', password });
      admin = { email, password, token: await createApiToken(deps, user.id, 'bootstrap') };
    }
  }

  installWorkflow(deps);
  const app = createApp(deps, { ...opts.app, resolvers: [...(opts.app?.resolvers ?? []), sessionResolver], apiModules: [...extraApiModules, ...(opts.app?.apiModules ?? [])] });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 3000, hostname: opts.host ?? '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : 'localhost'}:${port}`;
  if (!deps.publicUrl) deps.publicUrl = url;

  const tasks: { stop(): void }[] = [];
  if (opts.scheduler !== false) {
    const outboxNow = guarded({ name: 'outbox-kick', cron: '', run: (d) => deliverDueOutbox(d) }, deps);
    deps.kickOutbox = () => { setTimeout(() => void outboxNow(), 0); };
    for (const job of jobs) tasks.push(cron.schedule(job.cron, guarded(job, deps), { name: job.name }));
  }

  return {
    url, port, deps, store, admin,
    async close() {
      for (const t of tasks) t.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
