// One HTTP-level harness for both runtimes, so a test file runs unchanged against Node
// (`startParley`, as `npm start`) and against the Worker under workerd (`npm run worker:dev`:
// wrangler dev --local with a local D1, Queues, the EventHub Durable Object and static assets).
// Tests see only HTTP plus `tick()` (one scheduled run) and `sql()` (read the store).
import { expect } from 'vitest';
import { sseEvents, type SseEvent } from './sse.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobs } from '../../src/domain/jobs.js';
import { freePort } from './dovecot.js';
import { adminSession, apiClient, startTestParley, type AdminSession, type Api } from './parley.js';

export type RuntimeKind = 'node' | 'worker';
/** PARLEY_TEST_RUNTIMES=node limits the runtime-parameterised files to one runtime. */
export const runtimes: RuntimeKind[] = (process.env.PARLEY_TEST_RUNTIMES?.split(',') as RuntimeKind[] | undefined) ?? ['node', 'worker'];

export interface Runtime extends AdminSession {
  kind: RuntimeKind;
  /** One run of the scheduled sweeps (Node: the node-cron jobs once; Worker: its Cron Trigger). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

const ADMIN = { email: 'admin@test.local', password: 'admin-password' };

export async function startRuntime(kind: RuntimeKind): Promise<Runtime> {
  return kind === 'node' ? startNode() : startWorker();
}

async function startNode(): Promise<Runtime> {
  // The scheduler on, as `npm start` runs: replies go out through the outbox kick.
  const p = await startTestParley({ scheduler: true, bootstrapAdmin: ADMIN });
  return {
    kind: 'node', ...adminSession(p.url, p.adminToken),
    async tick() { for (const j of jobs) if (j.name !== 'poll') await j.run(p.deps); },
    stop: () => p.stop(),
  };
}

const ROOT = join(import.meta.dirname, '../..');
/** A worker's local state folder and its own dev registry (where wrangler dev instances find each other). */
const workerDirs = new WeakMap<Runtime, { state: string; registry: string }>();

async function startWorker(): Promise<Runtime> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'parley-worker-'));
  // Its own registry: another test's Worker (also named "parley") is never found by a peer.
  const registry = join(state, 'registry');
  const child: ChildProcess = spawn('npx', ['tsx', 'scripts/worker-dev.ts'], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...workerVars(), PORT: String(port), PARLEY_WORKER_STATE: state, WRANGLER_REGISTRY_PATH: registry },
  });
  const rt = await attachWorker(child, port, () => rmSync(state, { recursive: true, force: true }));
  workerDirs.set(rt, { state, registry });
  return rt;
}

const workerVars = () => ({ PARLEY_ADMIN_EMAIL: ADMIN.email, PARLEY_ADMIN_PASSWORD: ADMIN.password,
  PARLEY_SECRET: 'test-secret-test-secret', PARLEY_ALLOW_PRIVATE_NETWORK: '1', PARLEY_LOG_LEVEL: 'warn' });

/**
 * A second, separate Worker process (its own workerd, so its own isolate) on the SAME local D1
 * and the SAME EventHub Durable Object as `first`: a Worker named parley-peer whose hub binding
 * names the first Worker's class (`script_name = "parley"`), found through their shared dev
 * registry, and whose D1 is the same database in the same state folder. Stopping it leaves the
 * first running.
 */
export async function startWorkerPeer(first: Runtime): Promise<Runtime> {
  const dirs = workerDirs.get(first);
  if (!dirs) throw new Error('startWorkerPeer: the first runtime must be a worker');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-peer-'));
  const config = join(dir, 'wrangler.toml');
  writeFileSync(config, [
    'name = "parley-peer"', `main = "${join(ROOT, 'src/runtime/worker.ts')}"`, 'compatibility_date = "2025-09-01"', 'compatibility_flags = ["nodejs_compat"]',
    '[[d1_databases]]', 'binding = "DB"', 'database_name = "parley"', 'database_id = "00000000-0000-0000-0000-000000000000"',
    // Its own jobs queue (local queues live in one process): the peer delivers what it writes.
    '[[queues.producers]]', 'binding = "JOBS"', 'queue = "parley-jobs-peer"', '[[queues.consumers]]', 'queue = "parley-jobs-peer"', 'max_batch_timeout = 1',
    '[[durable_objects.bindings]]', 'name = "EVENTS_HUB"', 'class_name = "EventHub"', 'script_name = "parley"',
    '[[r2_buckets]]', 'binding = "FILES"', 'bucket_name = "parley-files"',
    '[assets]', `directory = "${join(ROOT, 'dist/web')}"`, 'binding = "ASSETS"', '',
  ].join('\n'));
  const vars = { ...workerVars(), PARLEY_SECRET_KEY: readFileSync(join(dirs.state, 'secret.key'), 'utf8').trim() };
  const child: ChildProcess = spawn('npx', ['wrangler', 'dev', '--local', '-c', config, '--port', String(port), '--ip', '127.0.0.1', '--persist-to', dirs.state,
    '--test-scheduled', '--show-interactive-dev-session=false', ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_UPDATE_NOTIFIER: '1', WRANGLER_REGISTRY_PATH: dirs.registry },
  });
  return attachWorker(child, port, () => rmSync(dir, { recursive: true, force: true }));
}

async function attachWorker(child: ChildProcess, port: number, cleanup: () => void): Promise<Runtime> {
  let log = '';
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const kill = () => { try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ } };
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode != null) throw new Error(`worker:dev exited (${child.exitCode}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`worker:dev did not answer:\n${log}`);
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    // The contract's way to a token: log in, then mint one.
    const login = await apiClient(url).post('/api/v1/auth/login', ADMIN);
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const minted = await apiClient(url).post(`/api/v1/users/${login.body.user.id}/tokens`, { name: 'tests' }, { cookie, 'x-parley-csrf': login.body.csrfToken });
    if (minted.status !== 201) throw new Error(`token: ${minted.status} ${JSON.stringify(minted.body)}`);
    return {
      kind: 'worker', ...adminSession(url, minted.body.token),
      async tick() {
        const r = await fetch(`${url}/__scheduled?cron=${encodeURIComponent('* * * * *')}`);
        if (!r.ok) throw new Error(`scheduled: ${r.status} ${await r.text()}`);
      },
      async stop() {
        const exited = new Promise((r) => child.once('exit', r));
        kill();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        cleanup();
      },
    };
  } catch (err) {
    kill();
    cleanup();
    throw err;
  }
}

/** The messages (API JSON) of a conversation. */
export const conversationMessages = async (rt: { api: Api }, conversationId: string) =>
  (await rt.api.get(`/api/v1/conversations/${conversationId}/messages`)).body.data as any[];

/** An agent's reply (the POST's answer) and the same message once the outbox has sent it. */
export async function replyAndWaitSent(rt: { api: Api }, conversationId: string, content: string) {
  const reply = await rt.api.post(`/api/v1/conversations/${conversationId}/messages`, { content });
  expect(reply.status).toBe(201);
  // Nobody runs the outbox by hand: the write asked for delivery (Node: a kick; Worker: a queue message).
  const sent = await eventually(async () => (await conversationMessages(rt, conversationId)).find((m) => m.id === reply.body.id && m.deliveryStatus === 'sent'));
  return { reply, sent };
}

/** Polls `probe` until it returns a truthy value (queue consumers and waitUntil run after the response). */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads an SSE response in the background: `ready` resolves on the server's 'ready' event. */
export function liveStream(res: Response) {
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const reader = sseEvents(res.body!).getReader();
  void (async () => {
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        events.push(next.value);
        for (const w of waiters) w();
      }
    } catch { /* cancelled */ }
  })();
  const until = (pred: (es: SseEvent[]) => boolean, timeoutMs = 15_000) => new Promise<SseEvent[]>((resolve) => {
    const check = () => { if (pred(events)) { done(); } };
    const done = () => { waiters.delete(check); clearTimeout(t); resolve(events); };
    const t = setTimeout(done, timeoutMs);
    waiters.add(check);
    check();
  });
  return {
    events,
    ready: until((es) => es.some((e) => e.event === 'ready')),
    until,
    close: () => reader.cancel().catch(() => {}),
  };
}
