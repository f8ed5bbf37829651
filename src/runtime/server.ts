// Builds a running Parley on Node: SQLite store, deps, HTTP server, node-cron jobs.
// Used by `npm start`, the demo, and the tests (port 0, own db file).
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
import { downloadDueMedia } from '../domain/media-downloads.js';
import { EventBus } from '../events/bus.js';
import { jiebaSegmenter } from './jieba-segmenter.js';
import { createLogger } from './logger.js';
import { fsBlobStore } from './fs-blob-store.js';
import { dirname, join } from 'node:path';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { extraApiModules, installWorkflow } from './modules.js';

export interface StartOptions {
  port?: number;
  host?: string;
  dbFile?: string;
  /** Where attachment files live (default: files/ next to the database file). */
  filesDir?: string;
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

export async function loadSecret(store: SqliteStore, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const row = await store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'");
  if (row) return row.value;
  const secret = randomToken(32);
  await store.run("INSERT INTO settings(key, value) VALUES ('secret', ?) ON CONFLICT(key) DO NOTHING", [secret]);
  return (await store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'"))!.value;
}

export async function startParley(opts: StartOptions = {}): Promise<Running> {
  installNodeHmac();
  const log = opts.log ?? createLogger();
  const dbFile = opts.dbFile ?? 'data/parley.db';
  const store = openSqliteStore(dbFile);
  const blobs = fsBlobStore(opts.filesDir ?? join(dirname(dbFile), 'files'));
  const secret = await loadSecret(store, opts.secret);
  const bus = new EventBus((err, e) => log.error({ event: e.type, err: (err as Error).message }, 'event listener failed'));
  const deps: Deps = {
    store, blobs, bus, log, secret,
    connectors: opts.connectors ?? createRegistry(),
    clock: opts.clock ?? systemClock,
    publicUrl: opts.publicUrl ?? '',
    segmenter: jiebaSegmenter(),
    allowPrivateNetwork: process.env.PARLEY_ALLOW_PRIVATE_NETWORK === '1',
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
    const mediaNow = guarded({ name: 'media-kick', cron: '', run: (d) => downloadDueMedia(d) }, deps);
    deps.kickMedia = () => { setTimeout(() => void mediaNow(), 0); };
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
