// The search-index job merges FTS segments in small steps until one is left, and search
// finds the same messages before and after.
import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '../connectors/types.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { mergeSearchIndex } from '../src/domain/search/search-index.js';
import { fixture } from './helpers/fixture.js';
import { directInbox, startTestParley } from './helpers/parley.js';

const p = fixture(() => startTestParley());
const inbox = fixture(() => directInbox(p, 'Index'));

const segments = async () => (await p.store.get<{ n: number }>('SELECT count(DISTINCT segid) AS n FROM messages_fts_idx'))!.n;

describe('search index upkeep', () => {
  it('merges the messages index down to one segment without changing what search finds', async () => {
    // One segment per ingest unit: 40 small deliveries.
    for (let d = 0; d < 40; d++) {
      const events = Array.from({ length: 5 }, (_, k) => ({
        kind: 'message', externalId: `ix-${d}-${k}`, threadKey: `ix-${d % 7}`, attachments: [], sentAt: Date.now(),
        text: k % 2 ? `我的转账还没到账，订单 ${d}-${k}` : `Where is my refund for order ${d}-${k}? tracking number please`,
        sender: { externalId: `ix-cust-${d % 7}`, name: `Customer ${d % 7}` },
      } as InboundEvent));
      await ingest(p.deps, inbox, events);
    }
    const before = await segments();
    expect(before).toBeGreaterThan(1);
    const search = async (q: string) => (await p.api.get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=50`)).body.messages.map((m: { id: string }) => m.id).sort();
    const en = await search('tracking number');
    const zh = await search('转账还没');
    expect(en.length).toBeGreaterThan(0);
    expect(zh.length).toBeGreaterThan(0);

    // A budget too small to finish says so; the next run goes on.
    const partial = await mergeSearchIndex(p.deps, { pages: 1, maxSteps: 1 });
    expect(partial).toEqual({ steps: 1, done: false });
    const report = await mergeSearchIndex(p.deps, { maxSteps: 1000 });
    expect(report.done).toBe(true);
    expect(await segments()).toBe(1);
    expect(await search('tracking number')).toEqual(en);
    expect(await search('转账还没')).toEqual(zh);
    // Nothing left to do: one step per table, each reporting no work.
    expect(await mergeSearchIndex(p.deps)).toEqual({ steps: 2, done: true });
  });
});
