// Per-request cost of the conversation list, search and a signed Messenger webhook, in process
// (app.fetch, no sockets, one request at a time), next to a bare route in the same app.
//
//   npx tsx bench/list-micro.ts [messages=100000] [requests=2000]
//
// The store is seeded once through domain ingest (the bench data set, settled like the full
// bench) into $BENCH_DIR/list-micro-<messages>.db and reused by later runs, so before/after
// comparisons read the same rows. Prints µs per request (median of 5 rounds) and CPU µs.
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createRegistry } from '../connectors/registry.js';
import { createApiToken, createUser } from '../src/auth/users.js';
import { systemClock } from '../src/domain/core/clock.js';
import type { Deps } from '../src/domain/deps.js';
import { newId } from '../src/domain/core/ids.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { EventBus } from '../src/domain/events/bus.js';
import { memoryBlobStore } from '../src/domain/media/blobs.js';
import { openSqliteStore } from '../src/runtime/sqlite-store.js';
import { hash01, messageAt, messengerWebhookBody, scaled } from './data.js';
import { APP_SECRET, AGENTS, benchApp, messengerConfig, messengerConnector } from './server.js';
import { guardedFetch } from '../connectors/net-guard.js';
import { createSecretBox } from '../src/domain/core/secret-box.js';
import { loadSecretKeys } from '../src/runtime/secret-key.js';

const MESSAGES = Number(process.argv[2] ?? 100_000);
const N = Number(process.argv[3] ?? 2_000);
const shape = scaled(MESSAGES / 1_000_000);
const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'parley-bench');
mkdirSync(dir, { recursive: true });
const dbFile = join(dir, `list-micro-${MESSAGES}.db`);
const fresh = !existsSync(dbFile);

const log = pino({ level: 'silent' });
const store = openSqliteStore(dbFile);
const { connector } = messengerConnector();
const deps: Deps = {
  store, blobs: memoryBlobStore(), log, secret: 'bench-secret-bench-secret', clock: systemClock, publicUrl: 'http://bench.local', httpFetch: guardedFetch, secrets: await createSecretBox(loadSecretKeys(dbFile).keys),
  bus: new EventBus((err, e) => log.error({ event: e.type, err: (err as Error).message }, 'event listener failed')),
  connectors: createRegistry({ messenger: connector }),
};

if (fresh) {
  const t0 = performance.now();
  for (let a = 0; a < AGENTS; a++) await createUser(deps, { email: `agent${a}@bench.local`, name: `Agent ${a}`, role: 'agent' });
  const agents = (await store.all<{ id: string }>("SELECT id FROM users WHERE email LIKE 'agent%' ORDER BY rowid")).map((r) => r.id);
  const inboxes: { id: string; channel: string }[] = [];
  for (let k = 0; k < shape.inboxes; k++) {
    const id = newId();
    await store.run('INSERT INTO inboxes(id, name, channel, config, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, `Messenger ${k}`, 'messenger', JSON.stringify(connector.config.parse(messengerConfig(k, 'http://127.0.0.1:9'))), '{}', Date.now()]);
    inboxes.push({ id, channel: 'messenger' });
    for (let a = 0; a < AGENTS; a++) if ((a === 0 && k < 3) || (a > 0 && (a + k) % 2 === 0)) await store.run('INSERT INTO inbox_members(inbox_id, user_id) VALUES (?, ?)', [id, agents[a]]);
  }
  const queues: Parameters<typeof ingest>[2][] = inboxes.map(() => []);
  for (let i = 0; i < shape.messages; i++) {
    const { inbox, event } = messageAt(i, shape, 1);
    queues[inbox].push(event);
    if (queues[inbox].length >= 50) { await ingest(deps, inboxes[inbox], queues[inbox]); queues[inbox] = []; }
  }
  for (let k = 0; k < inboxes.length; k++) if (queues[k].length) await ingest(deps, inboxes[k], queues[k]);
  store.sqlite.function('bench_h01', { deterministic: true }, (n: unknown, s: unknown) => hash01(Number(n), Number(s)));
  store.sqlite.function('bench_agent', { deterministic: true }, (n: unknown) => agents[Number(n) % AGENTS]);
  store.sqlite.prepare(`UPDATE conversations SET
      status = CASE WHEN bench_h01(rowid, 1) < 0.20 THEN 'open' WHEN bench_h01(rowid, 1) < 0.25 THEN 'pending'
                    WHEN bench_h01(rowid, 1) < 0.27 THEN 'snoozed' ELSE 'resolved' END,
      resolved_at = CASE WHEN bench_h01(rowid, 1) >= 0.27 THEN last_activity_at END,
      assignee_id = CASE WHEN bench_h01(rowid, 2) < 0.85 THEN bench_agent(CAST(bench_h01(rowid, 3) * ${AGENTS} AS INTEGER)) END`).run();
  console.log(`seeded ${shape.messages} messages in ${Math.round(performance.now() - t0)} ms -> ${dbFile}`);
}

const me = (await store.get<{ id: string }>("SELECT id FROM users WHERE email = 'agent0@bench.local'"))!.id;
const token = await createApiToken(deps, me, `micro-${Date.now()}`);
const inboxIds = (await store.all<{ id: string }>('SELECT id FROM inboxes ORDER BY rowid')).map((r) => r.id);
const outer = benchApp(deps);

const auth = { authorization: `Bearer ${token}` };
const base = 'http://bench.local';
let mid = 0;
const webhookBody = () => messengerWebhookBody(++mid, shape, `m_micro_${process.pid}_${Date.now()}`);
const signedPost = (path: string) => () => {
  const b = webhookBody();
  return new Request(base + path, { method: 'POST', body: b, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(b).digest('hex')}` } });
};

// A cursor 5 pages deep for the keyset variant.
let cursor: string | null = null;
for (let p = 0; p < 5; p++) {
  const r = await outer.fetch(new Request(`${base}/api/v1/conversations?status=open${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth }));
  cursor = ((await r.json()) as { nextCursor: string | null }).nextCursor;
}

const allVariants: Record<string, () => Request> = {
  'GET bare': () => new Request(`${base}/bench/bare`),
  'GET list status=open': () => new Request(`${base}/api/v1/conversations?status=open`, { headers: auth }),
  'GET list assignee=me': () => new Request(`${base}/api/v1/conversations?assignee=me&status=open`, { headers: auth }),
  'GET list inboxId': () => new Request(`${base}/api/v1/conversations?inboxId=${inboxIds[1]}`, { headers: auth }),
  'GET list deep keyset': () => new Request(`${base}/api/v1/conversations?status=open&cursor=${cursor}`, { headers: auth }),
  'GET search zh': () => new Request(`${base}/api/v1/search?q=${encodeURIComponent('物流单号')}`, { headers: auth }),
  'GET search en': () => new Request(`${base}/api/v1/search?q=${encodeURIComponent('tracking number')}`, { headers: auth }),
  'POST bare (signed body)': signedPost('/bench/bare'),
  'POST webhook messenger': signedPost(`/webhooks/${inboxIds[1]}`),
};

// MICRO_ONLY=regex picks variants (e.g. for node --cpu-prof).
const only = process.env.MICRO_ONLY ? new RegExp(process.env.MICRO_ONLY) : null;
const variants = Object.fromEntries(Object.entries(allVariants).filter(([k]) => !only || only.test(k)));

async function round(make: () => Request, n: number) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await outer.fetch(make());
    if (res.status >= 300) throw new Error(`${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  const wall = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  return { us: (wall * 1000) / n, cpuUs: (cu.user + cu.system) / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const make of Object.values(variants)) await round(make, 200); // warm-up
const results: Record<string, { us: number[]; cpu: number[] }> = {};
for (let r = 0; r < 5; r++) {
  for (const [name, make] of Object.entries(variants)) {
    const n = name.startsWith('POST webhook') ? Math.ceil(N / 4) : N;
    const x = await round(make, n);
    (results[name] ??= { us: [], cpu: [] }).us.push(x.us);
    results[name].cpu.push(x.cpuUs);
  }
}
const load = (await import('node:os')).loadavg()[0].toFixed(2);
console.log(`list-micro: ${shape.messages} messages, ${N} requests per round (webhook ${Math.ceil(N / 4)}), median of 5 rounds, load avg ${load}`);
console.log('variant'.padEnd(26), 'µs/req'.padStart(8), 'CPU µs/req'.padStart(11));
for (const [name, x] of Object.entries(results)) console.log(name.padEnd(26), median(x.us).toFixed(0).padStart(8), median(x.cpu).toFixed(0).padStart(11));
store.close();
process.exit(0);
