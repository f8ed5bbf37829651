// A separate poller process for the kill test: polls one inbox of a Parley SQLite file in a
// loop, printing a line after each committed poll and waiting for "next" on stdin before the
// following one. With <stall at poll N>, the Nth poll prints {"fetched":k} once the batch
// has been read from IMAP and then stalls before its commit, so the test can SIGKILL it in
// the middle of that batch.
// Usage: node --import tsx tests/helpers/email-poller.ts <db file> <inbox id> [stall at poll N]
import { createInterface } from 'node:readline';
import { email } from '../../connectors/email/index.js';
import { createRegistry } from '../../connectors/registry.js';
import { systemClock } from '../../src/domain/core/clock.js';
import type { Deps } from '../../src/domain/deps.js';
import { pollInbox } from '../../src/domain/ingest/polling.js';
import { EventBus } from '../../src/domain/events/bus.js';
import { openSqliteStore } from '../../src/runtime/sqlite-store.js';
import { guardedFetch } from '../../connectors/net-guard.js';
import { createSecretBox } from '../../src/domain/core/secret-box.js';
import { loadSecretKeys } from '../../src/runtime/secret-key.js';
import { fsBlobStore } from '../../src/runtime/fs-blob-store.js';
import { dirname, join } from 'node:path';

const [dbFile, inboxId, stallAt] = process.argv.slice(2);
let polls = 0;
const store = openSqliteStore(dbFile);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const deps: Deps = { store, blobs: fsBlobStore(join(dirname(dbFile), 'files')), connectors: createRegistry({
  email: {
    ...email,
    async poll(c, cursor) {
      const res = await email.poll!(c, cursor);
      if (++polls === Number(stallAt)) {
        process.stdout.write(`${JSON.stringify({ fetched: res.events.length })}\n`);
        await new Promise(() => {}); // never commits: killed here
      }
      return res;
    },
  },
}), clock: systemClock, bus: new EventBus(), log: quiet, secret: 'poller', publicUrl: '', httpFetch: guardedFetch, secrets: await createSecretBox(loadSecretKeys(dbFile).keys) };
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

for (;;) {
  const inbox = await store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]);
  const res = await pollInbox(deps, inbox!);
  const n = (await store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [inboxId]))!.n;
  process.stdout.write(`${JSON.stringify({ ok: res != null, stored: n })}\n`);
  const next = await lines.next();
  if (next.done || next.value.trim() !== 'next') break;
}
store.close();
