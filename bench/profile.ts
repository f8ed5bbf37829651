// Profiling aid, not part of `npm run bench`: ingests N messages of the bench data set in
// this process so `node --cpu-prof` sees the ingest path alone.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts 100000
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaled } from './data.js';
import { handle } from './server.js';

const n = Number(process.argv[2] ?? 100_000);
const shape = scaled(n / 1_000_000);
await handle({ cmd: 'init', dbFile: join(tmpdir(), `parley-profile-${process.pid}.db`), shape, seed: 42, fakeUrl: 'http://127.0.0.1:9' });
const r = (await handle({ cmd: 'ingest', upTo: n })) as { ms: number; cpuMs: number; messages: number; batches: number };
console.log(`${r.messages} messages in ${r.batches} deliveries: ${Math.round(r.messages / (r.ms / 1000))} msgs/s wall, ${Math.round(r.messages / (r.cpuMs / 1000))} msgs per CPU-second`);
if (process.argv.includes('--raw')) {
  const raw = (await handle({ cmd: 'raw', dbFile: join(tmpdir(), `parley-profile-raw-${process.pid}.db`), shape, seed: 42 })) as { ms: number; cpuMs: number; messages: number };
  console.log(`raw: ${Math.round(raw.messages / (raw.ms / 1000))} msgs/s wall, ${Math.round(raw.messages / (raw.cpuMs / 1000))} msgs per CPU-second`);
}
await handle({ cmd: 'exit' });
const T = (globalThis as any).__T as Map<string, [number, number]> | undefined;
if (T) for (const [k, [ms, n]] of [...T].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15)) console.log(Math.round(ms), n, k);
