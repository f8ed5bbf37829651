// The process under test for the polling rows (bench/polling.ts): Parley as `npm start` runs
// it (store, app, modules, the poll loops), on port 0 with its own SQLite file. It tells the
// parent its URL, an admin token and its pid over IPC, then serves until told to exit.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { startParley } from '../src/runtime/server.js';

// dovecot and the fake Bot API listen on 127.0.0.1.
process.env.PARLEY_ALLOW_PRIVATE_NETWORK ??= '1';

const dbFile = process.argv[2];
const running = await startParley({
  port: 0, host: '127.0.0.1', dbFile, secret: 'bench-secret-bench-secret',
  log: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }),
  bootstrapAdmin: { email: 'admin@bench.local', password: 'bench-password' },
});
process.send!({ ready: true, url: running.url, token: running.admin!.token, pid: process.pid });
// How long the event loop was kept from other work (HTTP requests) while a backlog drained.
const delay = monitorEventLoopDelay({ resolution: 5 });
process.on('message', async (m: { cmd?: string }) => {
  if (m.cmd === 'exit') { await running.close(); process.exit(0); }
  if (m.cmd === 'loopDelayStart') { delay.reset(); delay.enable(); }
  if (m.cmd === 'loopDelayStop') {
    delay.disable();
    process.send!({ loopDelay: { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 } });
  }
});
