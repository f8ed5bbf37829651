// Builds a running Parley on Node: SQLite store, deps, HTTP server, node-cron jobs.
// Used by `npm start`, the demo, and the tests (port 0, own db file).
import { createSecretBox, type SecretBox } from '../domain/core/secret-box.js';
import { resealAll } from '../domain/inboxes/secrets-at-rest.js';
import { loadSecretKeys } from './secret-key.js';
import { guardedFetch } from '../../connectors/net-guard.js';
import { serve, type ServerType } from '@hono/node-server';
import cron from 'node-cron';
import type { AddressInfo } from 'node:net';
import { createRegistry, type Registry } from '../../connectors/registry.js';
import { createApp, type AppOptions } from '../app.js';
import { installNodeHmac } from './node-hmac.js';
import { bootstrapAdmin, loadSecret } from './bootstrap.js';
import { nodeSseTransport } from './node-sse.js';
import { sessionResolver } from '../auth/sessions.js';
import { systemClock, type Clock } from '../domain/core/clock.js';
import type { Deps, Logger } from '../domain/deps.js';
import { DEFAULT_LEASE_MS, outboxLoop } from '../domain/outbox/outbox-loop.js';
import { guarded, jobs } from '../domain/jobs.js';
import { downloadDueMedia } from '../domain/media/media-downloads.js';
import { startPollLoops } from '../domain/ingest/poll-loop.js';
import { EventBus } from '../domain/events/bus.js';
import { jiebaSegmenter } from './jieba-segmenter.js';
import { liveStreams } from '../domain/events/live.js';
import { createLogger } from './logger.js';
import { fsBlobStore } from './fs-blob-store.js';
import { dirname, join } from 'node:path';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { extraApiModules } from '../api/modules.js';
import { installReactions } from '../domain/reactions.js';
import { liveLimitsFromEnv } from './live-limits-env.js';

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
  /** Believe X-Forwarded-For (one reverse proxy in front); default PARLEY_TRUST_PROXY=1. */
  trustProxy?: boolean;
  app?: AppOptions;
  /** Outbox claim lease (PARLEY_OUTBOX_LEASE_MS); a crashed sender's row is recovered after it. */
  outboxLeaseMs?: number;
  /** How long stored events are kept before the retention job prunes them. */
  eventRetentionMs?: number;
  /** Longest pause of a failing inbox's delivery lane (default 5 min; tests shorten it). */
  outboxMaxPauseMs?: number;
}

export interface Running {
  url: string;
  port: number;
  deps: Deps;
  store: SqliteStore;
  admin?: { email: string; password: string; token: string };
  close(graceMs?: number): Promise<void>;
}

export { loadSecret } from './bootstrap.js';

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
  const blobs = fsBlobStore(opts.filesDir ?? join(dirname(dbFile), 'files'));
  const deps: Deps = {
    store, blobs, bus, log, secret, secrets, connectors,
    liveLimits: liveLimitsFromEnv(),
    clock: opts.clock ?? systemClock,
    publicUrl: opts.publicUrl ?? '',
    segmenter: jiebaSegmenter(),
    allowPrivateNetwork: process.env.PARLEY_ALLOW_PRIVATE_NETWORK === '1',
    eventRetentionMs: opts.eventRetentionMs,
    trustProxy: opts.trustProxy ?? process.env.PARLEY_TRUST_PROXY === '1',
    httpFetch: guardedFetch,
  };

  const admin: Running['admin'] = opts.bootstrapAdmin !== false ? await bootstrapAdmin(deps, opts.bootstrapAdmin ?? {}) : undefined;

  installReactions(deps);
  const app = createApp(deps, { ...opts.app, sseTransport: nodeSseTransport, resolvers: [...(opts.app?.resolvers ?? []), sessionResolver], apiModules: [...extraApiModules, ...(opts.app?.apiModules ?? [])] });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 3000, hostname: opts.host ?? '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : 'localhost'}:${port}`;
  if (!deps.publicUrl) deps.publicUrl = url;

  const tasks: { stop(): void }[] = [];
  const stopping: Promise<void>[] = [];
  if (opts.scheduler !== false) {
    const loop = outboxLoop(deps, { leaseMs: opts.outboxLeaseMs ?? DEFAULT_LEASE_MS, maxPauseMs: opts.outboxMaxPauseMs });
    deps.kickOutbox = () => loop.kick();
    const mediaNow = guarded({ name: 'media-kick', cron: '', run: (d) => downloadDueMedia(d) }, deps);
    deps.kickMedia = () => { setTimeout(() => void mediaNow(), 0); };
    // Polling inboxes get a loop each (drain, long polling, IMAP IDLE) instead of the cron tick.
    for (const job of jobs) if (job.name !== 'poll') tasks.push(cron.schedule(job.cron, guarded(job, deps), { name: job.name }));
    const loops = startPollLoops(deps);
    deps.wakePoller = (id) => loops.wake(id);
    tasks.push({ stop: () => { stopping.push(loops.stop()); } });
    // Replies queued before a restart go out now, not at the next tick.
    loop.kick();
  }

  return {
    url, port, deps, store, admin,
    // Graceful stop (SIGTERM): no new jobs or connections; live streams ended (clients resume
    // with Last-Event-ID); replies being sent finish and unsent claims go back; requests in
    // flight finish (connections still open after the grace period are cut); the WAL is
    // checkpointed into the database file as the store closes.
    async close(graceMs = 8_000) {
      for (const t of tasks) t.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      liveStreams(deps).closeAll();
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      // Polls in flight end (aborted, their batch not stored) before the store closes.
      await Promise.all([outboxLoop(deps).stop(graceMs), ...stopping]);
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((r) => { timer = setTimeout(r, graceMs); })]);
      clearTimeout(timer);
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      store.close();
    },
  };
}
