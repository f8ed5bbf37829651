// The process under test: a Parley server (same app, store, modules as `npm start`) plus a
// bare Hono route on the same HTTP server, driven by bench/run.ts over IPC. Seed data is
// generated here, batch by batch, and ingested through domain ingest; only the ingest
// calls are timed. `--raw` instead runs the limit for scenario 1: plain better-sqlite3
// prepared INSERTs of the same message rows in one transaction.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fsBlobStore } from '../src/runtime/fs-blob-store.js';
import { downloadDueMedia } from '../src/domain/media/media-downloads.js';
import { guarded } from '../src/domain/jobs.js';

// The fake platform (and its CDN) listen on loopback.
process.env.PARLEY_ALLOW_PRIVATE_NETWORK ??= '1';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { createRegistry } from '../connectors/registry.js';
import { createApp } from '../src/app.js';
import { createApiToken, createUser } from '../src/auth/users.js';
import { systemClock } from '../src/domain/core/clock.js';
import { loadConversationRow } from '../src/domain/conversations/conversations.js';
import type { Deps } from '../src/domain/deps.js';
import { newId } from '../src/domain/core/ids.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { mergeSearchIndex } from '../src/domain/search/search-index.js';
import { writeOutgoing } from '../src/domain/conversations/messages.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { EventBus } from '../src/domain/events/bus.js';
import { extraApiModules } from '../src/api/modules.js';
import { installNodeHmac } from '../src/runtime/node-hmac.js';
import { openSqliteStore, type SqliteStore } from '../src/runtime/sqlite-store.js';
import { hash01, messageAt, prng, type Shape } from './data.js';
import { benchMessenger } from './messenger.js';
import { guardedFetch } from '../connectors/net-guard.js';
import { createSecretBox } from '../src/domain/core/secret-box.js';
import { loadSecretKeys } from '../src/runtime/secret-key.js';
import { installReactions } from '../src/domain/reactions.js';
import { liveLimitsFromEnv } from '../src/runtime/live-limits-env.js';

export const APP_SECRET = 'bench-app-secret';
export const AGENTS = 20;

export type Command =
  | { cmd: 'init'; dbFile: string; shape: Shape; seed: number; fakeUrl: string }
  | { cmd: 'ingest'; upTo: number }
  | { cmd: 'settle' }
  | { cmd: 'counts' }
  | { cmd: 'mediaDrain' }
  | { cmd: 'outboxSetup'; conversations: number; perConversation: number }
  | { cmd: 'outboxRun' }
  | { cmd: 'raw'; dbFile: string; shape: Shape; seed: number }
  | { cmd: 'reset' }
  | { cmd: 'profile'; file?: string }
  | { cmd: 'exit' };

const log = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });

/**
 * The app as `npm start` builds it (workflow modules installed) behind a bare route, the
 * limit for scenarios 2 and 3: a route that does nothing, in the same server.
 */
export function benchApp(deps: Deps): Hono {
  installReactions(deps);
  const outer = new Hono();
  outer.get('/bench/bare', (ctx) => ctx.json({ ok: true }));
  outer.post('/bench/bare', (ctx) => ctx.json({ ok: true }));
  outer.route('/', createApp(deps, { apiModules: extraApiModules }));
  return outer;
}

/** The Messenger connector if registered by connectors/registry.ts, else the bench stand-in. */
export function messengerConnector() {
  const real = createRegistry().get('messenger');
  return { connector: real ?? benchMessenger, real: Boolean(real) };
}

export function messengerConfig(k: number, fakeUrl: string) {
  return { pageId: `page-${k}`, pageAccessToken: `page-token-${k}`, appSecret: APP_SECRET, verifyToken: 'bench-verify', apiBaseUrl: fakeUrl };
}

interface State {
  store: SqliteStore;
  deps: Deps;
  server: ServerType;
  shape: Shape;
  seed: number;
  inboxes: { id: string; channel: string }[];
  pos: number;
  queues: { events: ReturnType<typeof messageAt>['event'][]; target: number }[];
  batchRand: () => number;
  outbox?: { inbox: string; conversations: string[] };
  fakeUrl: string;
  dbFile: string;
}
let st: State | undefined;

/** Delivery sizes: uniform 1..100 events (a webhook with a few entries up to a full poll page). */
const nextBatchSize = (r: () => number) => 1 + Math.floor(r() * 100);

async function init(c: Extract<Command, { cmd: 'init' }>) {
  rmSync(c.dbFile, { force: true }); rmSync(`${c.dbFile}-wal`, { force: true }); rmSync(`${c.dbFile}-shm`, { force: true });
  installNodeHmac(); // as startParley does
  const store = openSqliteStore(c.dbFile);
  const { connector } = messengerConnector();
  const deps: Deps = {
    store, blobs: fsBlobStore(join(dirname(c.dbFile), 'files')), log, secret: 'bench-secret-bench-secret', clock: systemClock, publicUrl: '', httpFetch: guardedFetch, secrets: await createSecretBox(loadSecretKeys(c.dbFile).keys),
    bus: new EventBus((err, e) => log.error({ event: e.type, err: (err as Error).message }, 'event listener failed')),
    liveLimits: liveLimitsFromEnv(),
    connectors: createRegistry({ messenger: connector }),
  };
  const admin = await createUser(deps, { email: 'admin@bench.local', name: 'Admin', role: 'admin' });
  const adminToken = await createApiToken(deps, admin.id);
  const agents: string[] = [];
  for (let a = 0; a < AGENTS; a++) agents.push((await createUser(deps, { email: `agent${a}@bench.local`, name: `Agent ${a}`, role: 'agent' })).id);
  const meToken = await createApiToken(deps, agents[0]);
  const inboxes: State['inboxes'] = [];
  for (let k = 0; k < c.shape.inboxes + 1; k++) {
    const id = newId();
    await store.run('INSERT INTO inboxes(id, name, channel, config, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, k < c.shape.inboxes ? `Messenger ${k}` : 'Messenger (outbox)', 'messenger', JSON.stringify(connector.config.parse(messengerConfig(k, c.fakeUrl))), '{}', Date.now()]);
    inboxes.push({ id, channel: 'messenger' });
    // "me" (agent 0) works inboxes 0..2; the others are spread over all of them.
    for (let a = 0; a < AGENTS; a++) if ((a === 0 && k < 3) || (a > 0 && (a + k) % 2 === 0)) await store.run('INSERT INTO inbox_members(inbox_id, user_id) VALUES (?, ?)', [id, agents[a]]);
  }
  store.sqlite.function('bench_h01', { deterministic: true }, (n: unknown, s: unknown) => hash01(Number(n), Number(s)));
  store.sqlite.function('bench_agent', { deterministic: true }, (n: unknown) => agents[Number(n) % AGENTS]);

  // As startParley does: a webhook that brought files kicks the download job (never awaited).
  const mediaNow = guarded({ name: 'media-kick', cron: '', run: (d) => downloadDueMedia(d) }, deps);
  deps.kickMedia = () => { setTimeout(() => void mediaNow(), 0); };
  const outer = benchApp(deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: outer.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deps.publicUrl = url;
  const batchRand = prng(c.seed * 7919 + 17);
  st = {
    store, deps, server, shape: c.shape, seed: c.seed, inboxes, pos: 0, batchRand, fakeUrl: c.fakeUrl, dbFile: c.dbFile,
    queues: Array.from({ length: c.shape.inboxes }, () => ({ events: [], target: nextBatchSize(batchRand) })),
  };
  return { url, adminToken, meToken, meId: agents[0], inboxIds: inboxes.map((i) => i.id), pid: process.pid };
}

/** Continues the data set up to message `upTo`, delivery by delivery; times the ingest calls only. */
async function ingestTo(upTo: number) {
  const s = st!;
  let ms = 0;
  let cpuMs = 0;
  let batches = 0;
  let inserted = 0;
  const n0 = s.pos;
  const wall0 = performance.now();
  const flush = async (k: number) => {
    const q = s.queues[k];
    if (q.events.length === 0) return;
    const events = q.events;
    q.events = [];
    q.target = nextBatchSize(s.batchRand);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await ingest(s.deps, s.inboxes[k], events);
    ms += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuMs += (c.user + c.system) / 1000;
    batches++;
    inserted += r.inserted.length;
  };
  while (s.pos < upTo) {
    const { inbox, event } = messageAt(s.pos++, s.shape, s.seed);
    const q = s.queues[inbox];
    q.events.push(event);
    if (q.events.length >= q.target) await flush(inbox);
  }
  for (let k = 0; k < s.queues.length; k++) await flush(k);
  return { messages: s.pos - n0, inserted, batches, ms, cpuMs, wallMs: performance.now() - wall0 };
}

/** The state a team's work leaves behind: most threads resolved, most assigned. Deterministic per row. */
async function settle() {
  const t0 = performance.now();
  st!.store.sqlite.prepare(`UPDATE conversations SET
      status = CASE WHEN bench_h01(rowid, 1) < 0.20 THEN 'open' WHEN bench_h01(rowid, 1) < 0.25 THEN 'pending'
                    WHEN bench_h01(rowid, 1) < 0.27 THEN 'snoozed' ELSE 'resolved' END,
      snooze_until = CASE WHEN bench_h01(rowid, 1) >= 0.25 AND bench_h01(rowid, 1) < 0.27 THEN ${Date.now() + 86_400_000 * 30} END,
      resolved_at = CASE WHEN bench_h01(rowid, 1) >= 0.27 THEN last_activity_at END,
      assignee_id = CASE WHEN bench_h01(rowid, 2) < 0.85 THEN bench_agent(CAST(bench_h01(rowid, 3) * ${AGENTS} AS INTEGER)) END
    WHERE inbox_id IN (${st!.inboxes.slice(0, st!.shape.inboxes).map(() => '?').join(',')})`)
    .run(...st!.inboxes.slice(0, st!.shape.inboxes).map((i) => i.id));
  // What the server's search-index job (src/domain/jobs.ts, every minute) leaves after a
  // burst: the FTS segments merged. Run here to the end, since the bench ingests 1M messages
  // in minutes, faster than the job's per-minute budget keeps up with.
  const merge = await mergeSearchIndex(st!.deps, { maxSteps: Infinity });
  return { ms: performance.now() - t0, mergeSteps: merge.steps };
}

/** Runs the media job until no download is waiting; the files' outcome. */
async function mediaDrain() {
  const t0 = performance.now();
  const one = (sql: string) => (st!.store.sqlite.prepare(sql).get() as { n: number }).n;
  for (let i = 0; i < 10_000 && one("SELECT count(*) AS n FROM attachments WHERE state = 'pending'") > 0; i++) {
    const r = await downloadDueMedia(st!.deps, { limit: 50 });
    if (r.claimed === 0) await new Promise((res) => setTimeout(res, 20));
  }
  return {
    ready: one("SELECT count(*) AS n FROM attachments WHERE state = 'ready'"), pending: one("SELECT count(*) AS n FROM attachments WHERE state = 'pending'"),
    failed: one("SELECT count(*) AS n FROM attachments WHERE state IN ('failed', 'refused')"), ms: Math.round(performance.now() - t0),
  };
}

async function counts() {
  const one = (sql: string) => (st!.store.sqlite.prepare(sql).get() as { n: number }).n;
  return {
    messages: one('SELECT count(*) AS n FROM messages'),
    conversations: one('SELECT count(*) AS n FROM conversations'),
    contacts: one('SELECT count(*) AS n FROM contacts'),
    ftsRows: one('SELECT count(*) AS n FROM messages_fts'),
    messageCountSum: one('SELECT coalesce(sum(message_count), 0) AS n FROM conversations'),
    dbBytes: fileSize(st!.dbFile) + fileSize(`${st!.dbFile}-wal`),
  };
}
const fileSize = (f: string) => { try { return statSync(f).size; } catch { return 0; } };

/** 10,000 queued replies: customers write in now (the 24 h window is open), agents answer. Untimed. */
async function outboxSetup(conversations: number, perConversation: number) {
  const s = st!;
  const inbox = s.inboxes[s.inboxes.length - 1];
  const now = Date.now();
  const convs: string[] = [];
  for (let i = 0; i < conversations; i += 100) {
    const events = [];
    for (let j = i; j < Math.min(conversations, i + 100); j++) {
      events.push({ kind: 'message' as const, externalId: `ob-in-${j}`, threadKey: `ob-${j}`, sender: { externalId: `ob-user-${j}` }, text: 'Hello, anyone there?', attachments: [], sentAt: now });
    }
    const r = await ingest(s.deps, inbox, events);
    convs.push(...r.createdConversations);
  }
  const agent = (s.store.sqlite.prepare("SELECT id FROM users WHERE role = 'agent' ORDER BY email LIMIT 1").get() as { id: string }).id;
  let queued = 0;
  for (let k = 0; k < perConversation; k++) {
    for (let j = 0; j < convs.length; j++) {
      const conv = await loadConversationRow(s.deps, convs[j]);
      await writeOutgoing(s.deps, conv!, { content: `reply ${j}-${k}`, senderType: 'user', senderId: agent });
      queued++;
    }
  }
  s.outbox = { inbox: inbox.id, conversations: convs };
  return { queued, conversations: convs.length };
}

async function outboxRun() {
  const s = st!;
  const t0 = performance.now();
  let sent = 0, failed = 0, retried = 0, rounds = 0;
  for (;;) {
    const r = await deliverDueOutbox(s.deps, { limit: 100 });
    rounds++;
    sent += r.sent; failed += r.failed; retried += r.retried;
    if (r.claimed === 0) break;
  }
  const ms = performance.now() - t0;
  const row = s.store.sqlite.prepare(`SELECT
      sum(o.status = 'done') AS done, sum(o.status <> 'done') AS notDone, sum(o.attempts <> 1) AS reattempted,
      sum(m.delivery_status = 'sent') AS msgSent, count(DISTINCT m.external_id) AS distinctExternal
    FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.inbox_id = ?`).get(s.outbox!.inbox) as Record<string, number>;
  return { sent, failed, retried, rounds, ms, db: row };
}

/** The limit for scenario 1: the same message rows, plain prepared INSERT, one transaction. */
async function rawInsert(c: Extract<Command, { cmd: 'raw' }>) {
  for (const f of [c.dbFile, `${c.dbFile}-wal`, `${c.dbFile}-shm`]) rmSync(f, { force: true });
  const store = openSqliteStore(c.dbFile);
  const db = store.sqlite;
  const now = Date.now();
  const inboxes: string[] = [];
  for (let k = 0; k < c.shape.inboxes; k++) {
    inboxes.push(newId());
    db.prepare("INSERT INTO inboxes(id, name, channel, config, settings, created_at) VALUES (?, ?, 'messenger', '{}', '{}', ?)").run(inboxes[k], `Inbox ${k}`, now);
  }
  // The rows the messages point at exist before the clock starts (foreign keys stay on).
  const convIds: string[] = [];
  db.transaction(() => {
    const contactIds: string[] = [];
    const ic = db.prepare("INSERT INTO contacts(id, name, attributes, created_at) VALUES (?, ?, '{}', ?)");
    const ii = db.prepare('INSERT INTO contact_identities(id, inbox_id, channel, external_id, contact_id, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (let k = 0; k < c.shape.contacts; k++) {
      contactIds.push(newId());
      ic.run(contactIds[k], `contact ${k}`, now);
      ii.run(newId(), inboxes[k % c.shape.inboxes], 'messenger', `u-${k}`, contactIds[k], now);
    }
    const iv = db.prepare("INSERT INTO conversations(id, inbox_id, contact_id, identity_id, thread_key, status, last_activity_at, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)");
    for (let j = 0; j < c.shape.conversations; j++) {
      convIds.push(newId());
      const contact = j % c.shape.contacts;
      iv.run(convIds[j], inboxes[contact % c.shape.inboxes], contactIds[contact], 'x', `t-${j}`, now, now);
    }
  })();
  const ins = db.prepare(`INSERT INTO messages(id, conversation_id, inbox_id, direction, private, content, sender_type, sender_id,
      external_id, delivery_status, created_at) VALUES (?, ?, ?, 'in', 0, ?, 'contact', ?, ?, 'received', ?)`);
  const conversationOfThread = (key: string) => convIds[Number(key.slice(2))];
  let ms = 0;
  let cpuMs = 0;
  const CHUNK = 10_000;
  db.exec('BEGIN');
  for (let i = 0; i < c.shape.messages; i += CHUNK) {
    const rows = [];
    for (let j = i; j < Math.min(c.shape.messages, i + CHUNK); j++) rows.push(messageAt(j, c.shape, c.seed));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const { inbox, event } of rows) ins.run(newId(), conversationOfThread(event.threadKey), inboxes[inbox], event.text, event.sender.externalId, event.externalId, event.sentAt);
    ms += performance.now() - t0;
    const cu = process.cpuUsage(c0);
    cpuMs += (cu.user + cu.system) / 1000;
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  db.exec('COMMIT');
  ms += performance.now() - t0;
  const cu = process.cpuUsage(c0);
  cpuMs += (cu.user + cu.system) / 1000;
  const n = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  store.close();
  for (const f of [c.dbFile, `${c.dbFile}-wal`, `${c.dbFile}-shm`]) rmSync(f, { force: true });
  return { messages: n, ms, cpuMs };
}

/** Closes the server and deletes its store, so one process can run several scratch runs. */
async function reset() {
  if (!st) return;
  const s = st;
  st = undefined;
  (s.server as { closeAllConnections?: () => void }).closeAllConnections?.();
  await new Promise<void>((r) => s.server.close(() => r()));
  s.store.close();
  for (const f of [s.dbFile, `${s.dbFile}-wal`, `${s.dbFile}-shm`]) rmSync(f, { force: true });
}

// A V8 CPU profile of a window (bench/http-cpu.ts: the measured load only, without the
// seeding): the first call starts it, the next one with a file writes it there.
let session: import('node:inspector').Session | undefined;
async function profile(file?: string) {
  const { Session } = await import('node:inspector');
  const post = (method: string) => new Promise<any>((resolve, reject) => session!.post(method, (err, r) => (err ? reject(err) : resolve(r))));
  if (!session) {
    session = new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
    return { started: true };
  }
  const { profile: p } = await post('Profiler.stop');
  session.disconnect();
  session = undefined;
  if (file) writeFileSync(file, JSON.stringify(p));
  return { written: file ?? null };
}

export async function handle(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'init': return init(c);
    case 'ingest': return ingestTo(c.upTo);
    case 'settle': return settle();
    case 'counts': return counts();
    case 'mediaDrain': return mediaDrain();
    case 'outboxSetup': return outboxSetup(c.conversations, c.perConversation);
    case 'outboxRun': return outboxRun();
    case 'raw': return rawInsert(c);
    case 'reset': await reset(); return { reset: true };
    case 'profile': return profile(c.file);
    case 'exit': {
      await reset();
      setImmediate(() => process.exit(0));
      return { bye: true };
    }
  }
}

// Commands run one at a time, in order.
let chain = Promise.resolve();
process.on('message', (m: { id: number; command: Command }) => {
  chain = chain.then(async () => {
    try {
      process.send!({ id: m.id, ok: true, result: await handle(m.command) });
    } catch (err) {
      process.send!({ id: m.id, ok: false, error: (err as Error).stack ?? String(err) });
    }
  });
});
process.on('disconnect', () => process.exit(1));
process.send?.({ ready: true });
