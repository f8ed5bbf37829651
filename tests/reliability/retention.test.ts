// Events older than the retention age are pruned by the job; the types reports read stay.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { manualClock } from '../../src/domain/core/clock.js';
import { pruneEvents } from '../../src/domain/core/retention.js';
import { emitEvents } from '../../src/domain/events/emit.js';
import { startTestParley, type TestParley } from '../helpers/parley.js';

const DAY = 86_400_000;
const clock = manualClock(Date.UTC(2026, 0, 1));
let p: TestParley;
beforeAll(async () => { p = await startTestParley({ clock, eventRetentionMs: 3 * DAY }); });
afterAll(() => p.stop());

it('prunes events past the configured age, in batches, keeping SLA breaches and CSAT answers', async () => {
  const count = async (where = '1') => (await p.store.get<{ n: number }>(`SELECT count(*) AS n FROM events WHERE ${where}`))!.n;
  const base = await count();
  for (let day = 0; day < 5; day++) {
    await emitEvents(p.deps, Array.from({ length: 3000 }, (_, i) => ({ type: 'message.created', payload: { day, i } })));
    await emitEvents(p.deps, [{ type: 'csat.received', payload: { day } }, { type: 'sla.breached', payload: { day } }]);
    clock.advance(DAY);
  }
  // Now day 5: days 0 and 1 are older than 3 days (and whatever the setup stored on day 0).
  expect(await pruneEvents(p.deps)).toBe(2 * 3000 + base);
  expect(await count("type = 'message.created'")).toBe(3 * 3000);
  expect(await count("type IN ('csat.received', 'sla.breached')")).toBe(10);
  expect(await pruneEvents(p.deps)).toBe(0);
});
