// Group commit: deliveries handed in together share one atomic unit, answer after it, and
// leave exactly what ingesting them one by one leaves; a failing group falls back to one by one.
import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '../connectors/types.js';
import type { Deps } from '../src/domain/deps.js';
import { ingestGrouped } from '../src/domain/ingest/ingest-group.js';
import type { Row, Statement, Store } from '../src/domain/core/store.js';
import { fixture } from './helpers/fixture.js';
import { directInbox, startTestParley } from './helpers/parley.js';

const p = fixture(() => startTestParley());
const inbox = fixture(() => directInbox(p, 'Grouped'));

const msg = (externalId: string, threadKey: string, text: string): InboundEvent => ({
  kind: 'message', externalId, threadKey, text, attachments: [], sentAt: Date.now(),
  sender: { externalId: `cust-${threadKey}`, name: `Customer ${threadKey}` },
} as InboundEvent);

/** The test's deps with a store that counts units and can be told to fail the next ones. */
function countingDeps(failUnitsWithMoreThan = Infinity) {
  const units: number[] = [];
  const store: Store = {
    ...p.store,
    atomically: async (stmts: Statement[]) => {
      units.push(stmts.length);
      if (stmts.length > failUnitsWithMoreThan) throw new Error('unit too big (test)');
      return p.store.atomically(stmts);
    },
  };
  return { deps: { ...p.deps, store } as Deps, units };
}

describe('group commit', () => {
  it('ingests concurrent deliveries in one unit with the same outcome as one by one', async () => {
    const { deps, units } = countingDeps();
    const calls = Array.from({ length: 12 }, (_, k) => ingestGrouped(deps, { inbox, events: [msg(`g${k}`, `gt${k % 3}`, `grouped ${k}`)] }));
    // A replay of an earlier delivery inside the same group is still a no-op.
    calls.push(ingestGrouped(deps, { inbox, events: [msg('g0', 'gt0', 'grouped 0')] }));
    const results = await Promise.all(calls);
    // Units of more than one statement: the messages (their events are stored in the same unit).
    const messageUnits = units.filter((n) => n > 1);
    expect(messageUnits).toHaveLength(1);
    expect(results.slice(0, 12).every((r) => r.inserted.length === 1)).toBe(true);
    expect(results[12].inserted).toHaveLength(0);
    const convs = await p.store.all<any>("SELECT thread_key, message_count FROM conversations WHERE inbox_id = ? AND thread_key LIKE 'gt%' ORDER BY thread_key", [inbox.id]);
    expect(convs).toEqual([{ thread_key: 'gt0', message_count: 4 }, { thread_key: 'gt1', message_count: 4 }, { thread_key: 'gt2', message_count: 4 }]);
    const events = await p.store.get<any>("SELECT count(*) AS n FROM events WHERE type = 'message.created' AND json_extract(payload, '$.message.content') LIKE 'grouped %'");
    expect(events.n).toBe(12);
  });

  it('tells each delivery of a merged run what it stored and opened', async () => {
    const { deps } = countingDeps();
    // Our reply in thread at0, as sent earlier: a status event can move it on.
    const sent = await p.store.get<any>("SELECT id FROM messages WHERE inbox_id = ? AND external_id = 'g0'", [inbox.id]);
    await p.store.run("UPDATE messages SET direction = 'out', delivery_status = 'sent' WHERE id = ?", [sent.id]);
    const [a, b, c] = await Promise.all([
      ingestGrouped(deps, { inbox, events: [msg('a1', 'at0', 'first'), msg('a2', 'at0', 'second')] }),
      ingestGrouped(deps, { inbox, events: [msg('b1', 'at0', 'third'), { kind: 'status', externalId: 'g0', status: 'delivered', at: Date.now() } as InboundEvent, msg('b2', 'bt0', 'new thread')] }),
      ingestGrouped(deps, { inbox, events: [msg('a1', 'at0', 'first')] }),
    ]);
    const conv = async (t: string) => (await p.store.get<any>('SELECT id FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inbox.id, t])).id;
    expect(a.inserted.map((x) => x.conversationId)).toEqual([await conv('at0'), await conv('at0')]);
    expect(a.createdConversations).toEqual([await conv('at0')]);
    expect(b.inserted).toHaveLength(2);
    expect(b.createdConversations).toEqual([await conv('bt0')]);
    expect(b.statusUpdates).toBe(1);
    expect(c).toEqual({ inserted: [], createdConversations: [], statusUpdates: 0 });
  });

  it('answers each delivery on its own when the shared unit fails', async () => {
    // Units bigger than one delivery's statements (9, its 3 event inserts included) fail: the group must fall back.
    const { deps, units } = countingDeps(10);
    const results = await Promise.all([0, 1, 2].map((k) => ingestGrouped(deps, { inbox, events: [msg(`f${k}`, `ft${k}`, `fallback ${k}`)] })));
    expect(results.map((r) => r.inserted.length)).toEqual([1, 1, 1]);
    expect(units.filter((n) => n > 10)).toHaveLength(1);
    const n = await p.store.get<any>("SELECT count(*) AS n FROM messages WHERE inbox_id = ? AND external_id IN ('f0','f1','f2')", [inbox.id]);
    expect(n.n).toBe(3);
  });

  it('rejects only the delivery that cannot be stored', async () => {
    const { deps } = countingDeps(10);
    const bad = { kind: 'message', externalId: 'bad-1', threadKey: 'bt', text: null, attachments: [], sentAt: Date.now(), sender: { externalId: 'cust-bt' } } as unknown as InboundEvent;
    const [good, broken] = await Promise.allSettled([
      ingestGrouped(deps, { inbox, events: [msg('ok-1', 'okt', 'fine')] }),
      ingestGrouped(deps, { inbox, events: [bad] }),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(broken.status).toBe('rejected');
    const stored = await p.store.all<any>("SELECT external_id FROM messages WHERE inbox_id = ? AND external_id IN ('ok-1','bad-1')", [inbox.id]);
    expect(stored.map((r) => r.external_id)).toEqual(['ok-1']);
  });
});
