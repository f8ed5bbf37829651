// A Parley process (the real startParley: store, workflow reactions, HTTP) that polls one inbox
// back to back instead of on the scheduler's tick, for the ingest kill test: it is SIGKILLed at
// random moments and restarted. Prints {"ready":true} once it runs.
// Usage: node --import tsx tests/helpers/poll-loop.ts <db file> <inbox id>
import pino from 'pino';
import { pollInbox } from '../../src/domain/ingest/polling.js';
import { startParley } from '../../src/runtime/server.js';

const [dbFile, inboxId] = process.argv.slice(2);
const p = await startParley({ port: 0, dbFile, scheduler: false, secret: 'test-secret-test-secret', bootstrapAdmin: false, log: pino({ level: 'silent' }) });
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for (;;) {
  const inbox = await p.store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]);
  const res = await pollInbox(p.deps, { ...inbox!, poll_failures: 0 });
  if (!res || !res.more) await new Promise((r) => setTimeout(r, 20));
}
