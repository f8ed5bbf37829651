// `npm run bench` (full size, several minutes) / `npm run bench -- --quick` (1/100 size, under a
// minute, checks that every scenario ran, not its timings). Prints a table of
// figure / value / limit / ratio / target / pass and writes the same rows to bench/results.json
// (or --out FILE). The server under test runs in a child process (bench/server.ts) so its
// RSS is its own and the load generator (autocannon, in this process) uses the other core.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadavg, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL, messengerMediaWebhookBody, messengerWebhookBody, scaled, type Shape } from './data.js';
import { faqRows } from './faq.js';
import type { Command } from './server.js';
import { runPollingBench } from './polling.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outArg = args.indexOf('--out');
const outFile = outArg >= 0 ? resolve(args[outArg + 1]) : join(here, 'results.json');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// --scale F: the full-size procedure (same load windows) on F of the data, for iterating on a
// figure that does not depend on size; only a run without it is the full bench.
const scaleArg = args.indexOf('--scale');
const shape: Shape = quick ? scaled(0.01) : scaleArg >= 0 ? scaled(Number(args[scaleArg + 1])) : FULL;
const small = Math.round(shape.messages / 100); // growth: the "10k messages" point at full size
const SEED = 42;
const APP_SECRET = 'bench-app-secret';
const workDir = process.env.BENCH_DIR ?? join(tmpdir(), 'parley-bench');
mkdirSync(workDir, { recursive: true });

// Load: full runs use 5 s per measurement (1 s warm-up); quick runs a fixed number of requests.
const load = quick ? { duration: 0.4, warm: 0.2 } : { duration: 5, warm: 1 };

export interface Row { figure: string; value: number; unit: string; limit: number | null; ratio: number | null; target: string; pass: boolean }
const rows: Row[] = [];
const checks: { name: string; ok: boolean; detail: string }[] = [];
const check = (name: string, ok: boolean, detail = '') => { checks.push({ name, ok, detail }); if (!ok) console.error(`CHECK FAILED: ${name} ${detail}`); };
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
// Each log line carries the server's RSS and peak so far: where the peak happens is in the log.
const say = (s: string) => {
  const mem = serverPid ? (() => { try { const m = memOf(serverPid); return ` [server RSS ${Math.round(m.rssMB)} MB, peak ${Math.round(m.peakMB)} MB]`; } catch { return ''; } })() : '';
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}${mem}`);
};

// ---------- the server child ----------
interface Child { proc: ChildProcess; call<T = any>(c: Command): Promise<T> }
const children = new Set<ChildProcess>();
process.on('exit', () => { for (const p of children) p.kill(); });
function startChild(): Promise<Child> {
  // BENCH_CPU_PROF=dir: the server children write V8 CPU profiles there (node --cpu-prof).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // The same Node flags as `npm start` (package.json): a smaller young generation (V8's default
  // semi-space lets the heap grow ~30 MB more before collecting, for no speed gained here).
  const proc = fork(join(here, 'server.ts'), [], { execArgv: [...prof, '--max-semi-space-size=8', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  let next = 1;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  return new Promise((resolveChild, rejectChild) => {
    proc.on('message', (m: any) => {
      if (m.ready) { resolveChild({ proc, call: (command) => new Promise((res, rej) => { const id = next++; waiting.set(id, { resolve: res as never, reject: rej }); proc.send({ id, command }); }) }); return; }
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.ok) w?.resolve(m.result); else w?.reject(new Error(m.error));
    });
    proc.on('exit', (code) => { for (const w of waiting.values()) w.reject(new Error(`bench server exited (${code})`)); rejectChild(new Error(`bench server exited (${code})`)); });
  });
}
async function stopChild(c: Child) {
  const exited = new Promise((r) => c.proc.once('exit', r));
  await c.call({ cmd: 'exit' }).catch(() => {});
  await exited;
}
function memOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}

// ---------- fake Messenger Send API (the "platform" for the outbox) ----------
const MEDIA_BYTES = 200 * 1024;
function startFakePlatform(): Promise<{ server: Server; url: string; received: Map<string, number> }> {
  const received = new Map<string, number>();
  let n = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      // A customer's image on the CDN: 200 KB, a JPEG header, unique per URL (no two are one blob).
      if (req.method === 'GET' && req.url?.startsWith('/media/')) {
        const img = Buffer.alloc(MEDIA_BYTES, 0x5a);
        img.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
        img.write(req.url, 64);
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(img.length) }).end(img);
        return;
      }
      // The User Profile API (Messenger looks up names of senders it does not know).
      if (req.method === 'GET') { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ first_name: 'Bench', last_name: 'Customer' })); return; }
      if (req.method !== 'POST' || !/\/messages(\?|$)/.test(req.url ?? '')) { res.writeHead(404).end(); return; }
      const b = JSON.parse(body) as { recipient: { id: string }; message: { text: string } };
      received.set(b.message.text, (received.get(b.message.text) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ recipient_id: b.recipient.id, message_id: `m_fake_${++n}` }));
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received })));
}

// ---------- HTTP load ----------
interface LoadResult { rps: number; p99: number; p50: number; requests: number; non2xx: number; errors: number; cpuUs: number }
/** The server under load (its pid), whose CPU time per request is reported next to req/s. */
let serverPid: number | undefined;
/** utime + stime of the server process, all threads, in µs (0 when unknown). */
function serverCpuUs(): number {
  if (!serverPid) return 0;
  const f = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}
function fire(opts: autocannon.Options): Promise<LoadResult> {
  return new Promise((res, rej) => {
    const lat: number[] = [];
    let non2xx = 0;
    const t0 = performance.now();
    const c0 = serverCpuUs();
    const inst = autocannon({ connections: 10, ...opts } as autocannon.Options, (err, r) => {
      if (err) return rej(err);
      const secs = (performance.now() - t0) / 1000;
      lat.sort((a, b) => a - b);
      const pct = (p: number) => lat.length ? lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)] : NaN;
      res({ rps: lat.length / secs, p99: pct(0.99), p50: pct(0.5), requests: lat.length, non2xx: Math.max(non2xx, r.non2xx), errors: r.errors + r.timeouts,
        cpuUs: lat.length ? (serverCpuUs() - c0) / lat.length : NaN });
    });
    // Exact latencies (autocannon's histogram rounds to whole milliseconds).
    inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => { lat.push(ms); if (status < 200 || status > 299) non2xx++; });
  });
}
async function measure(name: string, opts: autocannon.Options): Promise<LoadResult> {
  const r = await fire({ ...opts, duration: load.duration });
  check(`${name}: all 2xx`, r.non2xx === 0 && r.errors === 0 && r.requests > 0, `requests=${r.requests} non2xx=${r.non2xx} errors=${r.errors}`);
  return r;
}
const warm = (opts: autocannon.Options) => fire({ ...opts, duration: load.warm });

/** RUNS rounds; in each round every variant once (interleaved so machine noise hits all alike). */
async function rounds(variants: Record<string, autocannon.Options>): Promise<Record<string, { rps: number; p99: number; p50: number; cpuUs: number; runs: LoadResult[] }>> {
  for (const v of Object.values(variants)) await warm(v);
  const acc: Record<string, LoadResult[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < RUNS; r++) for (const [k, v] of Object.entries(variants)) acc[k].push(await measure(k, v));
  return Object.fromEntries(Object.entries(acc).map(([k, rs]) => [k, { rps: median(rs.map((x) => x.rps)), p99: median(rs.map((x) => x.p99)), p50: median(rs.map((x) => x.p50)), cpuUs: median(rs.map((x) => x.cpuUs)), runs: rs }]));
}

/** Server CPU per request (median of the rounds) next to the bare route's: not a target, but
 *  unlike req/s and p99 it barely moves with other work on the machine. */
function cpuRow(figure: string, v: { cpuUs: number }, bare: { cpuUs: number }) {
  if (!Number.isFinite(v.cpuUs) || !v.cpuUs) return;
  rows.push({ figure: `${figure} server CPU per request`, value: Math.round(v.cpuUs), unit: 'µs', limit: Math.round(bare.cpuUs) || null, ratio: bare.cpuUs ? round(v.cpuUs / bare.cpuUs, 2) : null, target: 'info (limit: the bare route)', pass: true });
}

function loadRow(when: string) {
  const [l1] = loadavg();
  rows.push({ figure: `machine load avg (1 min) ${when}`, value: round(l1), unit: 'runnable', limit: cpus().length, ratio: round(l1 / cpus().length), target: 'info (2 cores, shared with other test runs)', pass: true });
}

// ---------- scenarios ----------
// --only polling: just the polling rows (8.), a few minutes instead of the whole bench.
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? args[onlyArg + 1] : null;

async function main() {
  const started = performance.now();
  if (only === 'polling') {
    say(`Parley bench --only polling${quick ? ' --quick' : ''}`);
    loadRow('at start');
    await runPollingBench({ quick, here, workDir, rows, check, say });
    loadRow('at end');
    return report(started);
  }
  if (only) throw new Error(`--only ${only}: unknown section (known: polling)`);
  say(`Parley bench ${quick ? '--quick (1/100 size)' : scaleArg >= 0 ? `--scale ${args[scaleArg + 1]}` : '(full size)'}: ${shape.messages} messages, ${shape.conversations} conversations, ${shape.contacts} contacts, ${RUNS} runs each`);
  loadRow('at start');
  const fake = await startFakePlatform();
  const dbFile = (i: number) => join(workDir, `bench-${process.pid}-${i}.db`);

  // 1. Ingest vs raw insert. Runs 1..RUNS-1 on scratch servers; the last run's server stays for the rest.
  // Scratch runs share one process (the main run gets a fresh one: its RSS is a figure).
  const scratch = await startChild();
  const rawRates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const res = await scratch.call<{ messages: number; ms: number }>({ cmd: 'raw', dbFile: dbFile(100 + r), shape, seed: SEED });
    check('raw insert stored every row', res.messages === shape.messages, `${res.messages}`);
    rawRates.push(res.messages / (res.ms / 1000));
    say(`raw insert run ${r + 1}: ${Math.round(rawRates[r])} msgs/s`);
  }
  const ingestRates: number[] = [];
  let main!: Child;
  let info!: { url: string; adminToken: string; meToken: string; meId: string; inboxIds: string[]; pid: number };
  let growthSmall: Awaited<ReturnType<typeof rounds>> | undefined;
  const listVariants = (deepCursor?: string): Record<string, autocannon.Options> => {
    const h = { authorization: `Bearer ${info.meToken}` };
    const base = `${info.url}/api/v1/conversations`;
    return {
      bare: { url: `${info.url}/bench/bare` },
      'status=open': { url: `${base}?status=open`, headers: h },
      'assignee=me': { url: `${base}?assignee=me&status=open`, headers: h },
      'inboxId': { url: `${base}?inboxId=${info.inboxIds[1]}`, headers: h },
      ...(deepCursor ? { 'deep keyset page': { url: `${base}?status=open&cursor=${deepCursor}`, headers: h } } : {}),
    };
  };
  for (let r = 0; r < RUNS; r++) {
    const last = r === RUNS - 1;
    if (last) await stopChild(scratch);
    const c = last ? await startChild() : scratch;
    const i = await c.call({ cmd: 'init', dbFile: dbFile(r), shape, seed: SEED, fakeUrl: fake.url });
    let ms = 0;
    let inserted = 0;
    if (last) {
      main = c; info = i; serverPid = i.pid;
      const a = await c.call({ cmd: 'ingest', upTo: small });
      ms += a.ms; inserted += a.inserted;
      await c.call({ cmd: 'settle' });
      say(`growth: list at ${small} messages`);
      growthSmall = await rounds(listVariants());
    }
    const b = await c.call({ cmd: 'ingest', upTo: shape.messages });
    ms += b.ms; inserted += b.inserted;
    const counts = await c.call({ cmd: 'counts' });
    check('ingest stored every message once', counts.messages === shape.messages && inserted === shape.messages && counts.ftsRows === shape.messages && counts.messageCountSum === shape.messages,
      JSON.stringify(counts));
    check('ingest threaded into the expected conversations and contacts', counts.conversations === shape.conversations && counts.contacts === shape.contacts, JSON.stringify(counts));
    ingestRates.push(shape.messages / (ms / 1000));
    say(`ingest run ${r + 1}: ${Math.round(ingestRates[r])} msgs/s (${b.batches} deliveries in the last leg; db ${Math.round(counts.dbBytes / 1e6)} MB)`);
    if (!last) await c.call({ cmd: 'reset' });
  }
  const ingestRate = median(ingestRates);
  const rawRate = median(rawRates);
  rows.push({ figure: '1. ingest (domain, batches of 1-100)', value: Math.round(ingestRate), unit: 'msgs/s', limit: Math.round(rawRate), ratio: round(ingestRate / rawRate, 3),
    target: '>= 20000 msgs/s and ratio >= 0.333', pass: ingestRate >= 20_000 && ingestRate / rawRate >= 1 / 3 });

  // 2. Conversation list at full size.
  await main.call({ cmd: 'settle' });
  let cursor: string | undefined;
  for (let p = 0; p < (quick ? 5 : 50); p++) {
    const u: string = `${info.url}/api/v1/conversations?status=open${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await fetch(u, { headers: { authorization: `Bearer ${info.meToken}` } });
    const body = (await res.json()) as { data: unknown[]; nextCursor: string | null };
    check('deep page walk', res.status === 200 && (body.data.length === 25 || (p > 0 && !body.nextCursor)), `page ${p} status ${res.status} rows ${body.data?.length}`);
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  say(`list at ${shape.messages} messages`);
  const big = await rounds(listVariants(cursor));
  const bareRps = big.bare.rps;
  for (const [k, v] of Object.entries(big)) {
    if (k === 'bare') continue;
    rows.push({ figure: `2. list ${k} req/s`, value: Math.round(v.rps), unit: 'req/s', limit: Math.round(bareRps), ratio: round(v.rps / bareRps, 3), target: 'ratio >= 0.333 (bare route)', pass: v.rps / bareRps >= 1 / 3 });
    rows.push({ figure: `2. list ${k} p99`, value: round(v.p99), unit: 'ms', limit: 10, ratio: round(v.p99 / 10, 3), target: '< 10 ms', pass: v.p99 < 10 });
    cpuRow(`2. list ${k}`, v, big.bare);
  }

  // 4. Search (before the webhook load adds rows, so the figure is at exactly the seeded size).
  const probe = await fetch(`${info.url}/api/v1/search?q=abc`, { headers: { authorization: `Bearer ${info.meToken}` } });
  const searchPath = probe.status === 404 ? '/api/v1/conversations?q=' : '/api/v1/search?q=';
  const terms = { zh: '物流单号', en: 'tracking number' };
  for (const t of Object.values(terms)) {
    const res = await fetch(`${info.url}${searchPath}${encodeURIComponent(t)}`, { headers: { authorization: `Bearer ${info.meToken}` } });
    const body = (await res.json()) as Record<string, unknown[]>;
    const found = Array.isArray(body.data) ? body.data.length : Object.values(body).reduce((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
    check(`search ${t} finds results`, res.status === 200 && found > 0, `status ${res.status} found ${found}`);
  }
  say(`search via ${searchPath}`);
  const h = { authorization: `Bearer ${info.meToken}` };
  const search = await rounds({ zh: { url: `${info.url}${searchPath}${encodeURIComponent(terms.zh)}`, headers: h }, en: { url: `${info.url}${searchPath}${encodeURIComponent(terms.en)}`, headers: h } });
  for (const [k, v] of Object.entries(search)) {
    rows.push({ figure: `4. search ${k === 'zh' ? `Chinese "${terms.zh}"` : `English "${terms.en}"`} p99 (${searchPath.split('?')[0]})`, value: round(v.p99), unit: 'ms', limit: 50, ratio: round(v.p99 / 50, 3), target: '< 50 ms', pass: v.p99 < 50 });
    cpuRow(`4. search ${k}`, v, big.bare);
  }

  // 5. Growth.
  const g = growthSmall!['status=open'];
  const gb = big['status=open'];
  rows.push({ figure: `5. list p99 growth ${small} -> ${shape.messages} msgs (status=open)`, value: round(gb.p99), unit: 'ms', limit: round(g.p99), ratio: round(gb.p99 / g.p99, 3), target: 'ratio <= 2', pass: gb.p99 / g.p99 <= 2 });
  const worst = Math.max(...['status=open', 'assignee=me', 'inboxId'].map((k) => big[k].p99 / growthSmall![k].p99));
  rows.push({ figure: '5. list p99 growth, worst of the list variants', value: round(worst, 3), unit: 'x', limit: 2, ratio: round(worst / 2, 3), target: '<= 2', pass: worst <= 2 });

  // 3. Signed webhook intake.
  let mid = 0;
  const body = () => messengerWebhookBody(++mid, shape, `m_bench_${process.pid}`);
  const signed = (path: string) => ({
    url: info.url,
    requests: [{ method: 'POST' as const, path, setupRequest: (req: any) => {
      const b = body();
      return { ...req, body: b, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(b).digest('hex')}` } };
    } }],
  });
  const before = (await main.call({ cmd: 'counts' })).messages;
  say('webhook intake');
  const wh = await rounds({ bare: signed('/bench/bare'), webhook: signed(`/webhooks/${info.inboxIds[1]}`) });
  const after = (await main.call({ cmd: 'counts' })).messages;
  const webhookPosts = wh.webhook.runs.reduce((n, r) => n + r.requests, 0);
  check('webhook: every accepted POST ingested (200 only after commit)', after - before >= webhookPosts, `posted ${webhookPosts} (+warm-up) stored ${after - before}`);
  rows.push({ figure: '3. signed webhook intake req/s', value: Math.round(wh.webhook.rps), unit: 'req/s', limit: Math.round(wh.bare.rps), ratio: round(wh.webhook.rps / wh.bare.rps, 3), target: 'ratio >= 0.5 (bare route)', pass: wh.webhook.rps / wh.bare.rps >= 0.5 });
  rows.push({ figure: '3. signed webhook intake p99', value: round(wh.webhook.p99), unit: 'ms', limit: 20, ratio: round(wh.webhook.p99 / 20, 3), target: '< 20 ms', pass: wh.webhook.p99 < 20 });
  cpuRow('3. signed webhook intake', wh.webhook, wh.bare);

  // 3b. The same webhook with one 200 KB image: answered after the message commits, the file
  // fetched from the fake CDN by the media job meanwhile (the 200 never waits on it).
  let imgN = 0;
  const mediaBody = () => messengerMediaWebhookBody(++imgN, shape, `m_img_${process.pid}`, fake.url);
  const signedMedia = (path: string) => ({
    url: info.url,
    requests: [{ method: 'POST' as const, path, setupRequest: (req: any) => {
      const b = mediaBody();
      return { ...req, body: b, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(b).digest('hex')}` } };
    } }],
  });
  say('webhook intake with a 200 KB image');
  const wm = await rounds({ image: signedMedia(`/webhooks/${info.inboxIds[1]}`) });
  const drained = await main.call<{ ready: number; pending: number; failed: number; ms: number }>({ cmd: 'mediaDrain' });
  const imagePosts = wm.image.runs.reduce((n, r) => n + r.requests, 0);
  check('image webhook: every file downloaded and stored', drained.ready >= imagePosts && drained.pending === 0 && drained.failed === 0, JSON.stringify({ imagePosts, ...drained }));
  rows.push({ figure: '3b. webhook with one 200 KB image req/s', value: Math.round(wm.image.rps), unit: 'req/s', limit: Math.round(wh.webhook.rps), ratio: round(wm.image.rps / wh.webhook.rps, 3), target: 'info (limit: the text-only webhook)', pass: true });
  rows.push({ figure: '3b. webhook with one 200 KB image p99', value: round(wm.image.p99), unit: 'ms', limit: round(wh.webhook.p99), ratio: round(wm.image.p99 / wh.webhook.p99, 3), target: '< 20 ms (limit: the text-only webhook)', pass: wm.image.p99 < 20 });
  rows.push({ figure: '3b. images stored after the load (files fetched)', value: drained.ready, unit: 'files', limit: imagePosts, ratio: round(drained.ready / Math.max(1, imagePosts), 3), target: 'every image, none failed', pass: drained.ready >= imagePosts && drained.failed === 0 });
  cpuRow('3b. webhook with one 200 KB image', wm.image, wh.bare);

  // 6. Outbox.
  const perConv = 10;
  const convs = Math.round((quick ? 100 : 10_000) / perConv);
  const setup = await main.call({ cmd: 'outboxSetup', conversations: convs, perConversation: perConv });
  say(`outbox: ${setup.queued} queued replies`);
  const ob = await main.call({ cmd: 'outboxRun' });
  const dup = [...fake.received.values()].filter((n) => n !== 1).length;
  const once = fake.received.size === setup.queued && dup === 0 && ob.db.done === setup.queued && ob.db.reattempted === 0 && ob.db.msgSent === setup.queued && ob.db.distinctExternal === setup.queued;
  check('outbox: every reply sent exactly once', once, JSON.stringify({ received: fake.received.size, dup, ...ob.db, sent: ob.sent, failed: ob.failed, retried: ob.retried }));
  rows.push({ figure: '6. outbox delivery to fake platform (loopback)', value: Math.round(ob.sent / (ob.ms / 1000)), unit: 'sends/s', limit: null, ratio: null, target: 'report', pass: ob.sent === setup.queued });
  rows.push({ figure: '6. outbox sent exactly once', value: fake.received.size - dup, unit: 'replies', limit: setup.queued, ratio: round((fake.received.size - dup) / setup.queued, 3), target: 'all, no duplicates', pass: once });

  // 5b. RSS of the server process over everything above.
  const mem = memOf(info.pid);
  rows.push({ figure: `5. peak RSS of the server process at ${shape.messages} msgs`, value: Math.round(mem.peakMB), unit: 'MB', limit: 300, ratio: round(mem.peakMB / 300, 3), target: '< 300 MB', pass: mem.peakMB < 300 });
  await stopChild(main);
  fake.server.close();

  say('FAQ ranking (in process)');
  rows.push(...await faqRows(quick));

  // 8. Polling (dovecot, fake Telegram).
  say('polling');
  await runPollingBench({ quick, here, workDir, rows, check, say });
  loadRow('at end');
  report(started);
}

// ---------- output ----------
function report(started: number) {
  const order = (f: string) => (/^\d/.test(f) ? Number(f[0]) : f.includes('start') ? 0 : 9);
  rows.sort((a, b) => order(a.figure) - order(b.figure));
  const table = rows.map((r) => ({ figure: r.figure, value: r.value, unit: r.unit, limit: r.limit ?? '', ratio: r.ratio ?? '', target: r.target, pass: r.pass ? 'yes' : 'NO' }));
  console.table(table);
  writeFileSync(outFile, JSON.stringify(rows, null, 2) + '\n');
  const failedChecks = checks.filter((c) => !c.ok);
  const missed = rows.filter((r) => !r.pass);
  say(`${rows.length} figures written to ${outFile} in ${Math.round((performance.now() - started) / 1000)} s; ${checks.length - failedChecks.length}/${checks.length} checks ok; ${missed.length} targets missed`);
  if (failedChecks.length) { for (const c of failedChecks) console.error(`failed check: ${c.name} ${c.detail}`); process.exit(2); }
  if (!quick && missed.length) process.exit(1);
}

main().catch((err) => { console.error(err); process.exit(2); });
