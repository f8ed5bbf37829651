// The soak's SSE readers in their own process, so parsing a thousand streams does not slow the
// load generator's event loop (which would inflate the latencies it measures).
// Parent -> child: {open: {url, token, count, stalled}}, {progress: {since}}, {report: {since}};
// child -> parent: {ready: true} once every reading stream said ready, {progress: total events
// received after since}, {report: {got: per reading stream, failed, reconnects}}.
import { openReader, type Reader } from './sse-reader.js';

const readers: Reader[] = [];
const countAfter = (r: Reader, since: number) => { let n = 0; for (const id of r.created) if (id > since) n++; return n; };
let stalled = 0;
process.on('message', async (m: { open?: { url: string; token: string; count: number; stalled: number }; progress?: { since: number }; report?: { since: number } }) => {
  if (m.open) {
    stalled = m.open.stalled;
    for (let i = 0; i < m.open.count; i += 50) {
      readers.push(...await Promise.all(Array.from({ length: Math.min(50, m.open.count - i) }, (_, k) => openReader(m.open!.url, m.open!.token, i + k < stalled))));
    }
    while (readers.slice(stalled).some((r) => !r.counts.get('ready'))) await new Promise((r) => setTimeout(r, 100));
    process.send!({ ready: true });
  }
  if (m.progress) {
    const since = m.progress.since;
    process.send!({ progress: readers.slice(stalled).reduce((n, r) => n + countAfter(r, since), 0) });
  }
  if (m.report) {
    const reading = readers.slice(stalled);
    process.send!({ report: { got: reading.map((r) => countAfter(r, m.report!.since)), failed: reading.filter((r) => r.error || r.ended).length, reconnects: reading.reduce((n, r) => n + r.reconnects, 0) } });
    for (const r of readers) r.close();
    setTimeout(() => process.exit(0), 100);
  }
});
