// Builds a running Parley on Node: SQLite store, deps, HTTP server, node-cron jobs.
// Used by `npm start`, the demo, and the tests (port 0, own db file).
import { serve, type ServerType } from '@hono/node-server';
import cron from 'node-cron';
import type { AddressInfo } from 'node:net';
import { createRegistry, type Registry } from '../../connectors/registry.js';
import { createApp, type AppOptions } from '../app.js';
import { installNodeHmac } from './node-hmac.js';
import { bootstrapAdmin, loadSecret } from './bootstrap.js';
import { sessionResolver } from '../auth/sessions.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { Deps, Logger } from '../domain/deps.js';
import { deliverDueOutbox } from '../domain/outbox.js';
import { guarded, jobs } from '../domain/jobs.js';
import { startPollLoops } from '../domain/poll-loop.js';
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

export { loadSecret } from './bootstrap.js';

export async function startParley(opts: StartOptions = {}): Promise<Running> {
  installNodeHmac();
  const log = opts.log ?? createLogger();
  const store = openSqliteStore(opts.dbFile ?? 'data/parley.db');
  const secret = await loadSecret(store, opts.secret);
  const bus = new EventBus((err, e) => log.error({ event: e.type, err: (err as Error).message }, 'event listener failed'));
  const deps: Deps = {
    store, bus, log, secret,
    connectors: opts.connectors ?? createRegistry(),
    clock: opts.clock ?? systemClock,
    publicUrl: opts.publicUrl ?? '',
    segmenter: jiebaSegmenter(),
    allowPrivateNetwork: process.env.PARLEY_ALLOW_PRIVATE_NETWORK === '1',
  };

  const admin: Running['admin'] = opts.bootstrapAdmin !== false ? await bootstrapAdmin(deps, opts.bootstrapAdmin ?? {}) : undefined;

  installWorkflow(deps);
  const app = createApp(deps, { ...opts.app, resolvers: [...(opts.app?.resolvers ?? []), sessionResolver], apiModules: [...extraApiModules, ...(opts.app?.apiModules ?? [])] });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 3000, hostname: opts.host ?? '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : 'localhost'}:${port}`;
  if (!deps.publicUrl) deps.publicUrl = url;

  const tasks: { stop(): void }[] = [];
  const stopping: Promise<void>[] = [];
  if (opts.scheduler !== false) {
    const outboxNow = guarded({ name: 'outbox-kick', cron: '', run: (d) => deliverDueOutbox(d) }, deps);
    deps.kickOutbox = () => { setTimeout(() => void outboxNow(), 0); };
    // Polling inboxes get a loop each (drain, long polling, IMAP IDLE) instead of the cron tick.
    for (const job of jobs) if (job.name !== 'poll') tasks.push(cron.schedule(job.cron, guarded(job, deps), { name: job.name }));
    const loops = startPollLoops(deps);
    deps.wakePoller = (id) => loops.wake(id);
    tasks.push({ stop: () => { stopping.push(loops.stop()); } });
  }

  return {
    url, port, deps, store, admin,
    async close() {
      for (const t of tasks) t.stop();
      await Promise.all(stopping);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
