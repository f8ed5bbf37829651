// Ingest on D1: a delivery with its events is ONE batch, events carry what SQLite's do, replays
// stay no-ops, search finds Chinese text, and the search-index job reports done (its stop rule
// does not read total_changes(), which rises with every query on D1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../connectors/types.js';
import { manualClock } from '../src/domain/core/clock.js';
import type { Deps } from '../src/domain/deps.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { mergeSearchIndex } from '../src/domain/search/search-index.js';
import type { Store } from '../src/domain/core/store.js';
import { EventBus, type ParleyEvent } from '../src/domain/events/bus.js';
import { openD1Store } from '../src/runtime/d1-store.js';
import { openSqliteStore } from '../src/runtime/sqlite-store.js';
import { messageView, messageViewSql } from '../src/domain/core/views.js';
import { localD1 } from './helpers/d1.js';
import type { MessageRow } from '../src/domain/core/rows.js';
import { inboundMessage } from './helpers/inbound.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-d1-'));
const stores: Record<string, { store: Store; batches: () => number }> = {};
let stop: () => Promise<void>;
const inbox = { id: 'inbox-1', channel: 'whatsapp' };

beforeAll(async () => {
  const sqlite = openSqliteStore(join(dir, 'p.db'), { backgroundCheckpoints: false });
  const local = await localD1();
  let batches = 0;
  const counted = { prepare: (q: string) => local.d1.prepare(q), batch: (s: never) => { batches++; return local.d1.batch(s); } };
  stores.sqlite = { store: sqlite, batches: () => 0 };
  stores.d1 = { store: openD1Store(counted as never), batches: () => batches };
  for (const { store } of Object.values(stores)) {
    await store.run("INSERT INTO inboxes(id, name, channel, config, created_at) VALUES ('inbox-1', 'WA', 'whatsapp', '{}', 0)");
  }
  stop = async () => { sqlite.close(); await local.stop(); };
}, 60_000);
afterAll(async () => { await stop(); rmSync(dir, { recursive: true, force: true }); });

const t0 = Date.UTC(2026, 0, 2, 3, 4, 5, 67);
const msg = (externalId: string, threadKey: string, text: string, at: number): InboundEvent =>
  inboundMessage({ externalId, threadKey, text, sentAt: at, sender: { externalId: `cust-${threadKey}`, name: `客户 ${threadKey}` } });

function depsFor(store: Store) {
  const seen: ParleyEvent[] = [];
  const bus = new EventBus();
  bus.subscribe((e) => { seen.push(e); });
  const deps = { store, bus, clock: manualClock(t0 + 1000), log: console, secret: 'x', publicUrl: '', connectors: null as never } as unknown as Deps;
  return { deps, seen };
}

// Ids differ per store: compare the events by shape.
const shape = (events: ParleyEvent[]) => events.map((e) => ({ type: e.type, payload: JSON.parse(JSON.stringify(e.payload).replace(/"[0-9A-HJKMNP-TV-Z]{26}"/g, '"ULID"')) }));

describe('ingest on D1', () => {
  const outcome: Record<string, ReturnType<typeof shape>> = {};

  it.each(['sqlite', 'd1'])('stores a delivery and its events in one unit on %s', async (kind) => {
    const { store, batches } = stores[kind];
    const { deps, seen } = depsFor(store);
    const before = batches();
    const r = await ingest(deps, inbox, [msg('w1', 't1', '我的银行卡无法绑定', t0), msg('w2', 't1', 'second', t0 + 5), msg('w3', 't2', 'other thread', t0 + 2)]);
    if (kind === 'd1') expect(batches() - before).toBe(1);
    expect(r.inserted).toHaveLength(3);
    expect(r.createdConversations).toHaveLength(2);
    const stored = await store.all<{ id: number; type: string }>('SELECT id, type FROM events ORDER BY id');
    expect(stored.map((e) => e.id)).toEqual(seen.map((e) => e.id));
    expect(seen.map((e) => e.type)).toEqual(['conversation.created', 'conversation.created', 'message.created', 'message.created', 'message.created', 'conversation.updated', 'conversation.updated']);
    const created = seen.filter((e) => e.type === 'message.created').map((e) => e.payload.message as Record<string, any>);
    expect(created.map((m) => m.content)).toEqual(['我的银行卡无法绑定', 'other thread', 'second']);
    const row = await store.get<Record<string, unknown>>('SELECT conversation_id, sender_id FROM messages WHERE external_id = ?', ['w1']);
    expect(created[0]).toMatchObject({ conversationId: row!.conversation_id, sender: { type: 'contact', id: row!.sender_id }, createdAt: new Date(t0).toISOString(), private: false, attachments: [], deliveryStatus: 'received' });
    // Most recently touched first: t2's message came last in the delivery.
    const updated = seen.filter((e) => e.type === 'conversation.updated').map((e) => e.payload);
    expect(updated).toMatchObject([{ unreadCount: 1, lastActivityAt: t0 + 2 }, { unreadCount: 2, status: 'open', lastActivityAt: t0 + 5 }]);
    outcome[kind] = shape(seen);

    // A replay stores nothing and emits nothing.
    seen.length = 0;
    expect((await ingest(deps, inbox, [msg('w1', 't1', '我的银行卡无法绑定', t0)])).inserted).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('emits the same events on both stores', () => {
    expect(outcome.d1).toEqual(outcome.sqlite);
  });

  it.each(['sqlite', 'd1'])('stores a delivery status with its message.updated event on %s', async (kind) => {
    const { store } = stores[kind];
    const { deps, seen } = depsFor(store);
    await store.run("UPDATE messages SET direction = 'out', delivery_status = 'sent', meta = '{\"automated\":true}' WHERE external_id = 'w3'");
    const status = { kind: 'status', externalId: 'w3', status: 'delivered', at: t0 } as InboundEvent;
    expect((await ingest(deps, inbox, [status])).statusUpdates).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0].payload.message).toMatchObject({ content: 'other thread', deliveryStatus: 'delivered', error: null, automated: true, createdAt: new Date(t0 + 2).toISOString() });
    seen.length = 0;
    expect((await ingest(deps, inbox, [status])).statusUpdates).toBe(0);
    expect(seen).toEqual([]);
  });

  it.each(['sqlite', 'd1'])('stores message.updated for a status, an edit, a reaction and an unsend in the SAME unit as the update on %s', async (kind) => {
    const { store, batches } = stores[kind];
    const { deps, seen } = depsFor(store);
    await ingest(deps, inbox, [msg('u1', 'tu', 'order 1234', t0 + 10)]);
    await store.run("UPDATE messages SET direction = 'out', delivery_status = 'sent' WHERE external_id = 'w2'");
    let units = 0;
    const counting = { ...store, atomically: (s: never) => { units++; return store.atomically(s); } } as Store;
    const d = { ...deps, store: counting };
    const cases: InboundEvent[] = [
      { kind: 'status', externalId: 'w2', status: 'read', at: t0 } as InboundEvent,
      { kind: 'edit', externalId: 'u1', text: 'order 1243', at: t0 + 20 } as InboundEvent,
      { kind: 'reaction', externalId: 'u1', by: '200', emoji: '👍', at: t0 + 30 } as InboundEvent,
      { kind: 'reaction', externalId: 'u1', by: '100', emoji: '❤️', at: t0 + 31 } as InboundEvent,
      { kind: 'delete', externalId: 'u1', at: t0 + 40 } as InboundEvent,
    ];
    for (const e of cases) {
      seen.length = 0;
      const before = { units, batches: batches() };
      await ingest(d, inbox, [e]);
      expect(units - before.units, e.kind).toBe(1);
      if (kind === 'd1') expect(batches() - before.batches, e.kind).toBe(1);
      expect(seen.map((x) => x.type)).toEqual(['message.updated']);
      const row = await store.get<MessageRow>('SELECT * FROM messages WHERE external_id = ?', [(e as { externalId: string }).externalId]);
      // The event shows the row exactly as the API does after the update.
      expect(seen[0].payload.message).toEqual(messageView(row!));
      const stored = await store.get<{ payload: string }>('SELECT payload FROM events WHERE id = ?', [seen[0].id]);
      expect(JSON.parse(stored!.payload)).toEqual(seen[0].payload);
    }
    // A replay of each changes nothing and stores no event.
    seen.length = 0;
    for (const e of cases.slice(0, 2)) await ingest(d, inbox, [e]);
    expect(seen).toEqual([]);
  });

  it.each(['sqlite', 'd1'])('builds the same message view in SQL as messageView on %s', async (kind) => {
    const { store } = stores[kind];
    const metas = [null, '{}', '{"automated":true,"subject":"Re: x"}', '{"unverifiedSender":true,"callbackQuery":{"data":"y","n":null}}',
      '{"edited":{"at":1767322000123.0},"edits":[{"content":"a","replacedAt":1767322000001},{"content":"b","replacedAt":5}]}',
      '{"deleted":{"at":1767322000999,"by":"contact","content":"gone"}}', '{"reactions":{"b":"😀","20":"👍","3":null,"x":""}}', '{"reactions":{"3":null}}'];
    const rows = metas.map((meta, k) => ({ id: `v${k}`, conversation_id: 'c1', direction: (k % 2 ? 'out' : 'in') as MessageRow['direction'], private: k === 3 ? 1 : 0, content: `t${k}`,
      html: k === 2 ? '<p>x</p>' : null, sender_type: 'contact' as const, sender_id: k === 1 ? null : 's1', created_at: t0 + k * 1001, delivery_status: k ? 'sent' as const : null,
      error: k === 4 ? 'boom' : null, external_id: k === 5 ? null : `e${k}`, attachments: k === 6 ? '[{"id":"a1","name":"f.png"}]' : null, meta }));
    const cols = Object.keys(rows[0]);
    const x = `(SELECT ${cols.map((c) => `j.value->>'${c}' AS ${c}`).join(', ')} FROM json_each(?) j)`;
    const got = await store.all<{ v: string }>(`SELECT ${messageViewSql('x')} AS v FROM ${x} x ORDER BY x.id`, [JSON.stringify(rows)]);
    expect(got.map((r) => JSON.parse(r.v))).toEqual(rows.map((r) => messageView(r)));
  });

  it.each(['sqlite', 'd1'])('finds Chinese text and merges the search index to done on %s', async (kind) => {
    const { store } = stores[kind];
    const hits = await store.all('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?', ['"银行卡"']);
    expect(hits).toHaveLength(1);
    const { deps } = depsFor(store);
    const report = await mergeSearchIndex(deps, { maxSteps: 20 });
    expect(report.done).toBe(true);
    expect(report.steps).toBeLessThan(20);
  });
});
