// Workers entry (wrangler.toml `main`): the same createApp on D1, with
//   fetch     - the app; every reaction and the live-event forward finish in waitUntil
//   scheduled - the per-minute sweeps (Cron Trigger) and the polling fan-out
//   queue     - outbox delivery and outgoing webhooks (sent on write), one poll per inbox
//   email     - Email Routing: a message to an email inbox's address, into the same parser
// and the EventHub Durable Object that carries live events across isolates.
import { createRegistry } from '../../connectors/registry.js';
import { createApp } from '../app.js';
import { sessionResolver } from '../auth/sessions.js';
import { systemClock } from '../domain/core/clock.js';
import type { Deps } from '../domain/deps.js';
import { EventBus } from '../domain/events/bus.js';
import { bootstrapAdmin, loadSecret } from './bootstrap.js';
import { workerFetch, workerSecretBox } from './worker-secrets.js';
import { consoleLogger } from './console-logger.js';
import { openD1Store } from './d1-store.js';
import { r2BlobStore } from './r2-blob-store.js';
import { hubForwarder, hubSubscription } from './live-events.js';
import { extraApiModules } from '../api/modules.js';
import { assetsFromBinding } from './worker-assets.js';
import { receiveRoutedEmail, type RoutedEmail } from './worker-email.js';
import { runJobMessage, scheduledSweeps } from './worker-jobs.js';
import type { ExecutionContext, JobMessage, MessageBatch, ScheduledController, WorkerEnv } from './worker-env.js';
import { installReactions, reactionsSettled } from '../domain/reactions.js';

export { EventHub } from './event-hub.js';

interface Isolate {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  forward: ReturnType<typeof hubForwarder>;
  /** Sends started outside a request's own awaits (outbox kicks). */
  background: Set<Promise<unknown>>;
  prepared: boolean;
}

let isolate: Isolate | null = null;

// Built once per isolate without I/O; bindings are per isolate, requests come and go.
function isolateFor(env: WorkerEnv): Isolate {
  if (isolate) return isolate;
  const log = consoleLogger(env.PARLEY_LOG_LEVEL);
  const bus = new EventBus((err, e) => log.error({ event: e.type, err: (err as Error).message }, 'event listener failed'));
  const background = new Set<Promise<unknown>>();
  const deps: Deps = {
    store: openD1Store(env.DB), blobs: r2BlobStore(env.FILES), bus, log, secret: env.PARLEY_SECRET ?? '',
    // Sealed with PARLEY_SECRET_KEY (wrangler secret put) once prepare() opened it.
    secrets: null as unknown as Deps['secrets'],
    httpFetch: workerFetch(env),
    connectors: createRegistry(), clock: systemClock, publicUrl: env.PARLEY_PUBLIC_URL ?? '',
    perRequestIngest: true,
    openLive: () => hubSubscription(env.EVENTS_HUB),
    kickOutbox: () => {
      const p = env.JOBS.send({ job: 'outbox' }).catch((err: Error) => log.error({ err: err.message }, 'outbox kick failed'));
      background.add(p);
      void p.finally(() => background.delete(p));
    },
    kickMedia: () => {
      const p = env.JOBS.send({ job: 'media' }).catch((err: Error) => log.error({ err: err.message }, 'media kick failed'));
      background.add(p);
      void p.finally(() => background.delete(p));
    },
  };
  installReactions(deps);
  const app = createApp(deps, {
    resolvers: [sessionResolver], apiModules: extraApiModules,
    web: env.ASSETS ? { assets: assetsFromBinding(env.ASSETS) } : undefined,
  });
  return (isolate = { deps, app, forward: hubForwarder(bus, env.EVENTS_HUB), background, prepared: false });
}

// The I/O part of starting: run by each request until one finished it (a promise shared across
// requests would tie one request's I/O to another's lifetime).
async function prepare(iso: Isolate, env: WorkerEnv, origin: string | null) {
  if (iso.prepared) return;
  iso.deps.secrets = await workerSecretBox(env);
  iso.deps.secret = await loadSecret(iso.deps.store, iso.deps.secrets, env.PARLEY_SECRET);
  if (!iso.deps.publicUrl && origin) iso.deps.publicUrl = origin;
  try {
    const admin = await bootstrapAdmin(iso.deps, { email: env.PARLEY_ADMIN_EMAIL, password: env.PARLEY_ADMIN_PASSWORD });
    if (admin) console.log(`\nAdmin login (shown once):\n  email:     ${admin.email}\n  password:  ${admin.password}\n  API token: ${admin.token}\n`);
  } catch (err) {
    // Another isolate created it at the same moment (users.email is unique).
    if (!/UNIQUE/i.test((err as Error).message)) throw err;
  }
  iso.prepared = true;
}

/** Everything a request, tick or queue batch set going, finished: reactions, kicks, live events, webhooks. */
async function afterwards(iso: Isolate, env: WorkerEnv) {
  for (let round = 0; round < 5; round++) {
    await Promise.all([reactionsSettled(iso.deps), Promise.allSettled([...iso.background])]);
    const published = iso.forward.pending();
    if (published === 0) break;
    await iso.forward.flush();
    // Delivery rows for outgoing webhooks are written by a reaction: send them on write.
    const due = await iso.deps.store.get("SELECT 1 AS x FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1", [iso.deps.clock.now()]);
    if (due) await env.JOBS.send({ job: 'webhooks-out' });
  }
}

export default {
  async fetch(req: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const iso = isolateFor(env);
    await prepare(iso, env, new URL(req.url).origin);
    // env and ctx reach handlers as c.env / c.executionCtx (webhooks' follow-up calls use waitUntil).
    const res = await iso.app.fetch(req, env, ctx as Parameters<typeof iso.app.fetch>[2]);
    ctx.waitUntil(afterwards(iso, env).catch((err: Error) => iso.deps.log.error({ err: err.message }, 'after-response work failed')));
    return res;
  },

  async scheduled(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    const iso = isolateFor(env);
    await prepare(iso, env, null);
    await scheduledSweeps(iso.deps, env);
    ctx.waitUntil(afterwards(iso, env));
  },

  async email(message: RoutedEmail, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    const iso = isolateFor(env);
    await prepare(iso, env, null);
    await receiveRoutedEmail(iso.deps, message);
    ctx.waitUntil(afterwards(iso, env));
  },

  async queue(batch: MessageBatch<JobMessage>, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    const iso = isolateFor(env);
    await prepare(iso, env, null);
    // One run per job kind serves every message asking for it.
    const seen = new Set<string>();
    for (const m of batch.messages) {
      const key = JSON.stringify(m.body);
      if (seen.has(key)) { m.ack(); continue; }
      seen.add(key);
      try { await runJobMessage(iso.deps, m.body); m.ack(); } catch (err) {
        iso.deps.log.error({ job: m.body.job, err: (err as Error).message }, 'queue job failed');
        m.retry({ delaySeconds: 10 });
      }
    }
    ctx.waitUntil(afterwards(iso, env));
  },
};
