// `npm run soak [-- --duration S --rate R --streams N --stalled M --visitors V]`: a fixed mixed
// load on loopback against a real server process (src/runtime/node.ts on a fresh store):
// webhooks on three channels (API, Telegram, WhatsApp), agents listing, reading and replying,
// web chat visitors writing with their own live streams, and agents' SSE readers (M of them
// never reading). First a baseline: the same load without the live streams; then with them.
// Prints p50/p99 per route and phase, the webhook p99 with and without the streams, the
// server's CPU per webhook in each phase, server RSS and WAL size with their
// slope after warm-up, and the store's size after pruning old events. Exits 1 on any error or
// on a reading stream that missed an event. Defaults: 10 minutes, 100 webhooks/s, 1,000
// streams of which 100 stalled, 20 visitors.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openReader, type Reader } from './soak/sse-reader.js';
import { Latencies, slope } from './soak/stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? Number(process.argv[i + 1]) : def; };
const DURATION_S = arg('duration', 600);
const RATE = arg('rate', 100);
const STREAMS = arg('streams', 1000);
const STALLED = Math.min(STREAMS, arg('stalled', Math.round(STREAMS / 10)));
const VISITORS = arg('visitors', 20);
const BASELINE_S = Math.max(5, Math.round(DURATION_S * 0.2));
const API_SECRET = 'soak-api-secret-0123456789abcdef';
const WA_SECRET = 'soak-whatsapp-app-secret';
const TG_SECRET = 'soak-telegram-secret-token';

const lat = new Latencies();
const errors: string[] = [];
let phase: 'baseline' | 'mixed' = 'baseline';
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(name: string, f: () => Promise<Response>): Promise<Response | null> {
  const route = `${name} (${phase})`;
  const t0 = performance.now();
  try {
    const res = await f();
    lat.add(route, performance.now() - t0);
    if (res.status >= 400) {
      // Counted and read here; the caller gets nothing to read twice.
      errors.push(`${route}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      return null;
    }
    return res;
  } catch (err) {
    errors.push(`${route}: ${(err as Error).message}`);
    return null;
  }
}

// A sink for the API channel's reply callbacks.
const callbacks = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); }); });
await new Promise<void>((r) => callbacks.listen(0, '127.0.0.1', r));
const callbackUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/cb`;

const dir = mkdtempSync(join(tmpdir(), 'parley-soak-'));
const dbFile = join(dir, 'parley.db');
const server: ChildProcess = spawn(process.execPath, [...(process.env.SOAK_SERVER_ARGS?.split(' ').filter(Boolean) ?? []), '--max-semi-space-size=8', '--import', 'tsx', join(ROOT, 'src/runtime/node.ts')], {
  cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PARLEY_DB: dbFile, PARLEY_LOG_LEVEL: 'error', PARLEY_ALLOW_PRIVATE_NETWORK: '1',
    PARLEY_ADMIN_EMAIL: 'soak@localhost', PARLEY_ADMIN_PASSWORD: 'soak-password-1',
    // All streams come from one address and one user here; a real deployment keeps the defaults.
    PARLEY_SSE_PER_ADDRESS: String(STREAMS + VISITORS + 10), PARLEY_SSE_PER_USER: String(STREAMS + 10),
    // Visitors are told apart by X-Forwarded-For (each its own address, as behind a proxy), so the
    // web chat's per-address limits see 20 people, not one loopback address writing for all.
    PARLEY_TRUST_PROXY: '1' },
});
const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
  let tok = '';
  createInterface({ input: server.stdout! }).on('line', (l) => {
    const t = /API token:\s+(\S+)/.exec(l); if (t) tok = t[1];
    const u = /Parley listening on (\S+)/.exec(l); if (u) resolve({ url: u[1], token: tok });
  });
  server.once('exit', () => reject(new Error('server exited')));
});
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const post = (path: string, body: unknown, headers: Record<string, string> = auth) => fetch(url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const get = (path: string) => fetch(url + path, { headers: auth });
const mkInbox = async (name: string, channel: string, config: object) => {
  const r = await post('/api/v1/inboxes', { name, channel, config });
  if (r.status !== 201) throw new Error(`${channel} inbox: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string; webchatToken?: string };
};
const apiInbox = await mkInbox('Soak API', 'api', { secret: API_SECRET, callbackUrl });
const tgInbox = await mkInbox('Soak Telegram', 'telegram', { botToken: '7000000001:AASoakTokenForParley_0123456789abc', mode: 'webhook', secretToken: TG_SECRET, apiBaseUrl: callbackUrl.replace('/cb', '') });
const waInbox = await mkInbox('Soak WhatsApp', 'whatsapp', { phoneNumberId: 'PN1', accessToken: 'tok', appSecret: WA_SECRET, verifyToken: 'vt', apiBaseUrl: callbackUrl.replace('/cb', '') });
const webInbox = await mkInbox('Soak web chat', 'webchat', {});

let seq = 0;
const THREADS = 500;
async function webhook() {
  const i = ++seq;
  const who = i % THREADS;
  const route = 'webhook';
  const kind = i % 3;
  if (kind === 0) {
    const body = JSON.stringify({ messageId: `a${i}`, conversationId: `t${who}`, contact: { id: `c${who}`, name: `Customer ${who}` }, content: `soak api ${i}` });
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = `sha256=${createHmac('sha256', API_SECRET).update(`${ts}.${body}`).digest('hex')}`;
    await timed(route, () => post(`/webhooks/${apiInbox.id}`, body, { 'content-type': 'application/json', 'x-parley-timestamp': ts, 'x-parley-signature': sig }));
  } else if (kind === 1) {
    const body = JSON.stringify({ update_id: i, message: { message_id: i, from: { id: 10_000 + who, is_bot: false, first_name: `Tg ${who}` }, chat: { id: 10_000 + who, type: 'private', first_name: `Tg ${who}` }, date: Math.floor(Date.now() / 1000), text: `soak tg ${i}` } });
    await timed(route, () => post(`/webhooks/${tgInbox.id}`, body, { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET }));
  } else {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550001', phone_number_id: 'PN1' }, contacts: [{ profile: { name: `Wa ${who}` }, wa_id: `1555${who}` }],
      messages: [{ from: `1555${who}`, id: `wamid.${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `soak wa ${i}` } }] } }] }] });
    const sig = `sha256=${createHmac('sha256', WA_SECRET).update(body).digest('hex')}`;
    await timed(route, () => post(`/webhooks/${waInbox.id}`, body, { 'content-type': 'application/json', 'x-hub-signature-256': sig }));
  }
}

async function agent() {
  const list = await timed('GET /conversations', () => get('/api/v1/conversations?limit=25'));
  const data = list?.ok ? ((await list.json()) as { data: { id: string; inboxId: string }[] }).data : [];
  const conv = data.find((c) => c.inboxId === apiInbox.id);
  if (!conv) return;
  const msgs = await timed('GET /conversations/:id/messages', () => get(`/api/v1/conversations/${conv.id}/messages?limit=50`));
  await msgs?.arrayBuffer();
  const r = await timed('POST /conversations/:id/messages', () => post(`/api/v1/conversations/${conv.id}/messages`, { content: `agent reply ${Date.now()}` }));
  await r?.arrayBuffer();
}

const visitors: { token: string; address: string; reader?: Reader }[] = [];
async function visitorWrites(v: { token: string; address: string }) {
  const r = await timed('POST /public/webchat/messages', () => post(`/public/webchat/${webInbox.webchatToken}/messages`, { content: `visitor ${Date.now()}` },
    { authorization: `Bearer ${v.token}`, 'content-type': 'application/json', 'x-forwarded-for': v.address }));
  await r?.arrayBuffer();
}

function every(ms: number, f: () => Promise<void>) {
  const t = setInterval(() => { void f(); }, ms);
  return () => clearInterval(t);
}
const webhookTicker = () => every(100, async () => { await Promise.all(Array.from({ length: Math.max(1, Math.round(RATE / 10)) }, webhook)); });

const rssOf = () => { const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8')); return m ? Number(m[1]) / 1024 : NaN; };
const walOf = () => (existsSync(`${dbFile}-wal`) ? statSync(`${dbFile}-wal`).size / 1_048_576 : 0);
const samples: { t: number; rss: number; wal: number }[] = [];
const sampler = setInterval(() => samples.push({ t: Date.now(), rss: rssOf(), wal: walOf() }), 2_000);

console.log(`soak: ${DURATION_S} s (baseline ${BASELINE_S} s: the same load without live streams), ${RATE} webhooks/s on 3 channels, ${STREAMS} agent streams (${STALLED} not reading), ${VISITORS} visitors`);
const cpuOf = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
for (let i = 0; i < VISITORS; i++) {
  const address = `198.51.100.${i + 1}`;
  const s = await post(`/public/webchat/${webInbox.webchatToken}/sessions`, { name: `Visitor ${i}` }, { 'content-type': 'application/json', 'x-forwarded-for': address });
  const v: { token: string; address: string; reader?: Reader } = { token: ((await s.json()) as { visitorToken: string }).visitorToken, address };
  await visitorWrites(v);
  visitors.push(v);
}
// Webhooks, agents listing, reading and replying, and visitors writing every 4 s (15 a minute,
// under web chat's 20 per visitor per minute): the same in both phases, which differ only by the
// live streams.
const load = () => {
  const stops = [webhookTicker(), every(500, agent), every(4_000, async () => { await Promise.all(visitors.map(visitorWrites)); })];
  return () => { for (const s of stops) s(); };
};
const t0 = Date.now();
const cpuAt0 = cpuOf(server.pid!);
let stop = load();
await wait(BASELINE_S * 1000);
stop();
const cpuBaseline = cpuOf(server.pid!) - cpuAt0;
const webhooksBaseline = seq;
await wait(1_000);
const rssBaseline = rssOf();

phase = 'mixed';
const readersProc = fork(join(ROOT, 'bench/soak/readers.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const fromReaders = <T>(key: string) => new Promise<T>((resolve) => { const on = (m: Record<string, unknown>) => { if (key in m) { readersProc.off('message', on); resolve(m[key] as T); } }; readersProc.on('message', on); });
// The readers stand in for agents' browsers on their own machines; here they share the server's
// cores, so they run at the lowest priority and take what the server leaves (set
// SOAK_READERS_NICE=0 to let them compete as equals).
os.setPriority(readersProc.pid!, Number(process.env.SOAK_READERS_NICE ?? 19));
const readersReady = fromReaders<true>('ready');
readersProc.send({ open: { url: `${url}/api/v1/events`, token, count: STREAMS, stalled: STALLED } });
await readersReady;
for (const v of visitors) v.reader = await openReader(`${url}/public/webchat/${webInbox.webchatToken}/events?visitorToken=${encodeURIComponent(v.token)}`, v.token, false);
await wait(200); // events so far have reached the streams
const db = new Database(dbFile, { readonly: true });
const since = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
const mixedFrom = Date.now();
const cpuAtMixed = cpuOf(server.pid!);
stop = load();
await wait(Math.max(1_000, DURATION_S * 1000 - (Date.now() - t0)));
stop();
const cpuMixed = cpuOf(server.pid!) - cpuAtMixed;
const webhooksMixed = seq - webhooksBaseline;
await wait(3_000); // in-flight requests land and streams catch up
clearInterval(sampler);

const countExpected = () => (db.prepare("SELECT count(*) AS n FROM events WHERE id > ? AND type = 'message.created'").get(since) as { n: number }).n;
let expected = countExpected();
// Readers on a loaded machine may still be catching up: wait while they make progress.
let report = { got: [] as number[], failed: 0, reconnects: 0 };
for (let last = -1, still = 0; still < 5;) {
  await wait(1_000);
  const progress = fromReaders<number>('progress');
  readersProc.send({ progress: { since } });
  const sum = await progress;
  if (sum >= expected * (STREAMS - STALLED)) break;
  still = sum === last ? still + 1 : 0;
  last = sum;
}
expected = countExpected(); // requests still in flight when the load stopped have landed
db.close();
console.log(`cpu seconds: server ${cpuOf(server.pid!)}, readers ${cpuOf(readersProc.pid!)}, generator ${((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)}`);
console.log(`server CPU per webhook: ${(cpuBaseline * 1000 / webhooksBaseline).toFixed(2)} ms without streams, ${(cpuMixed * 1000 / webhooksMixed).toFixed(2)} ms with them and the agents and visitors`);
const reportPromise = fromReaders<{ got: number[]; failed: number; reconnects: number }>('report');
readersProc.send({ report: { since } });
report = await reportPromise;
const got = report.got;
console.log(`stream completeness: min ${Math.min(...got)}, max ${Math.max(...got)} of ${expected} message.created`);
const missed = got.filter((n) => n !== expected).length;
const streamErrors = report.failed;
const readingCount = got.length;
for (const v of visitors) v.reader?.close();

const prune = await new Promise<string>((resolve) => {
  const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'events:prune', '--days', '0'], { cwd: ROOT, env: { ...process.env, PARLEY_DB: dbFile } });
  let out = ''; p.stdout.on('data', (d) => { out += d; }); p.on('exit', () => resolve(out.trim()));
});
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
callbacks.close();

const warm = samples.filter((s) => s.t >= mixedFrom + (Date.now() - mixedFrom) * 0.25);
const perMin = (k: 'rss' | 'wal') => slope(warm.map((s) => ({ x: (s.t - mixedFrom) / 60_000, y: s[k] })));
const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
console.log(`\n${'route (phase)'.padEnd(46)} count     p50 ms    p99 ms`);
for (const r of lat.routes()) console.log(`${r.padEnd(46)} ${String(lat.count(r)).padStart(6)} ${f(lat.pct(r, 50)).padStart(10)} ${f(lat.pct(r, 99)).padStart(9)}`);
const p99b = lat.pct('webhook (baseline)', 99);
const p99m = lat.pct('webhook (mixed)', 99);
console.log(`\nwebhook p99: ${f(p99b)} ms without streams, ${f(p99m)} ms with ${STREAMS} streams (${STALLED} stalled): ratio ${f(p99m / p99b)} (limit 2.0)`);
console.log(`server RSS: ${f(rssBaseline)} MB after baseline, peak ${f(Math.max(...samples.map((s) => s.rss)))} MB, slope after warm-up ${perMin('rss').toFixed(2)} MB/min`);
console.log(`WAL: peak ${f(Math.max(...samples.map((s) => s.wal)))} MB, slope after warm-up ${perMin('wal').toFixed(2)} MB/min`);
console.log(`streams: ${readingCount} reading, each expected ${expected} message.created; ${missed} missed some, ${streamErrors} ended or failed; ${report.reconnects} reconnects with Last-Event-ID after a cut-off`);
const pr = prune ? JSON.parse(prune) as { pruned: number; liveBytes: number; fileBytes: number } : null;
console.log(`store after pruning events: ${pr ? `${(pr.liveBytes / 1_048_576).toFixed(1)} MB live of ${(pr.fileBytes / 1_048_576).toFixed(1)} MB file (${pr.pruned} events pruned)` : 'prune failed'}`);
console.log(`errors: ${errors.length}${errors.length ? `\n  ${errors.slice(0, 10).join('\n  ')}` : ''}`);
rmSync(dir, { recursive: true, force: true });
process.exit(errors.length || missed || streamErrors || !pr ? 1 : 0);
