// Server CPU per request under load, for one route: a bench server (bench/server.ts, same app
// and flags as `npm run bench`) seeded with a fraction of the bench data, 10 connections for
// 2 s (warm-up) and 8 s, and the server process's CPU time read from /proc before and after.
// Unlike req/s and p99, CPU per request barely moves when other work shares the machine, so
// before/after comparisons of one change use this figure (docs/performance.md).
//
//   npx tsx bench/http-cpu.ts webhook|image|bare-post|list|bare|search-en|search-zh [scale=0.01]
// (image: the webhook with one 200 KB image, fetched from a CDN in this process, as row 3b)
//   BENCH_CPU_PROF=/tmp/prof npx tsx bench/http-cpu.ts webhook    # plus a V8 profile of the server
//   HTTP_CPU_PROFILE=/tmp/w.cpuprofile npx tsx bench/http-cpu.ts webhook   # profile of the measured 8 s only
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { messengerMediaWebhookBody, messengerWebhookBody, scaled } from './data.js';
import { APP_SECRET, type Command } from './server.js';

const route = process.argv[2] ?? 'webhook';
const shape = scaled(Number(process.argv[3] ?? 0.01));
const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'parley-bench');
mkdirSync(dir, { recursive: true });
const dbFile = join(dir, `http-cpu-${process.pid}.db`);

const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
const server = fork(join(dirname(fileURLToPath(import.meta.url)), 'server.ts'), [], {
  execArgv: [...prof, '--max-semi-space-size=8', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
let next = 1;
const waiting = new Map<number, (m: { ok: boolean; result: any; error?: string }) => void>();
const ready = new Promise<void>((resolve) => server.on('message', (m: any) => (m.ready ? resolve() : waiting.get(m.id)?.(m))));
const call = (command: Command) => new Promise<any>((resolve, reject) => {
  const id = next++;
  waiting.set(id, (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
  server.send({ id, command });
});

await ready;
// The customer's images for `image`: 200 KB each, unique per URL (as bench/run.ts's CDN).
const cdn = createServer((req, res) => {
  const img = Buffer.alloc(200 * 1024, 0x5a);
  img.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
  img.write(req.url ?? '', 64);
  res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(img.length) }).end(img);
});
await new Promise<void>((r) => cdn.listen(0, '127.0.0.1', () => r()));
const cdnUrl = `http://127.0.0.1:${(cdn.address() as { port: number }).port}`;
const info = await call({ cmd: 'init', dbFile, shape, seed: 42, fakeUrl: 'http://127.0.0.1:9' });
await call({ cmd: 'ingest', upTo: shape.messages });
await call({ cmd: 'settle' });

let mid = 0;
const webhookBody = () => messengerWebhookBody(++mid, shape, `m_cpu_${process.pid}`);
const imageBody = () => messengerMediaWebhookBody(++mid, shape, `m_cpu_${process.pid}`, cdnUrl);
const signedPost = (path: string, body = webhookBody): autocannon.Options => ({
  url: info.url,
  requests: [{ method: 'POST', path, setupRequest: (req: any) => {
    const b = body();
    return { ...req, body: b, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(b).digest('hex')}` } };
  } }],
} as autocannon.Options);
const routes: Record<string, autocannon.Options> = {
  webhook: signedPost(`/webhooks/${info.inboxIds[1]}`),
  image: signedPost(`/webhooks/${info.inboxIds[1]}`, imageBody),
  'bare-post': signedPost('/bench/bare'),
  list: { url: `${info.url}/api/v1/conversations?status=open`, headers: { authorization: `Bearer ${info.meToken}` } },
  bare: { url: `${info.url}/bench/bare` },
  'search-en': { url: `${info.url}/api/v1/search?q=${encodeURIComponent('tracking number')}`, headers: { authorization: `Bearer ${info.meToken}` } },
  'search-zh': { url: `${info.url}/api/v1/search?q=${encodeURIComponent('物流单号')}`, headers: { authorization: `Bearer ${info.meToken}` } },
};
const opts = routes[route];
if (!opts) throw new Error(`route must be one of ${Object.keys(routes).join(', ')}`);

/** utime + stime of the server process (all its threads), in ms. */
const serverCpuMs = () => {
  const f = readFileSync(`/proc/${info.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const windowProfile = process.env.HTTP_CPU_PROFILE;
for (const seconds of [2, 8]) {
  if (windowProfile && seconds === 8) await call({ cmd: 'profile' });
  const lat: number[] = [];
  const t0 = performance.now();
  const c0 = serverCpuMs();
  await new Promise<void>((resolve, reject) => {
    const inst = autocannon({ ...opts, connections: 10, duration: seconds }, (err) => (err ? reject(err) : resolve()));
    inst.on('response', (_c: unknown, _s: number, _b: number, ms: number) => lat.push(ms));
  });
  if (windowProfile && seconds === 8) await call({ cmd: 'profile', file: windowProfile });
  lat.sort((a, b) => a - b);
  const secs = (performance.now() - t0) / 1000;
  console.log(`${route} ${seconds === 2 ? 'warm-up' : 'measured'}: ${Math.round(lat.length / secs)} req/s, p50 ${lat[lat.length >> 1].toFixed(1)} ms, p90 ${lat[Math.floor(lat.length * 0.9)].toFixed(1)} ms, p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ms, server CPU ${Math.round(((serverCpuMs() - c0) * 1000) / lat.length)} µs/request`);
}
await call({ cmd: 'exit' }).catch(() => {});
cdn.close();
for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
