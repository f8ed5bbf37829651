// Group commit for deliveries that arrive concurrently (webhooks): every delivery handed in
// during one turn of the event loop is ingested in the same atomic unit, and each caller is
// answered after that commit. Under load a commit, the statement setup and the event insert
// are paid once per group instead of once per request; alone, a delivery waits one
// event-loop turn. A group that fails is retried delivery by delivery, so one bad delivery
// never fails the others (and a replay stays a no-op either way).
import type { Deps } from '../deps.js';
import { ingestMany, type Delivery, type IngestResult } from './ingest.js';

/** Deliveries (and events) per unit: bounds how long one transaction holds the writer. */
export const GROUP_MAX_DELIVERIES = 64;
export const GROUP_MAX_EVENTS = 2_000;

interface Waiting { delivery: Delivery; resolve(r: IngestResult): void; reject(err: unknown): void }

const queues = new WeakMap<Deps, Waiting[]>();

// setImmediate runs after the I/O callbacks of this turn, so requests parsed together join;
// runtimes without it (Workers) fall back to a zero timeout.
const soon: (fn: () => void) => void = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate ?? ((fn) => setTimeout(fn, 0));

export function ingestGrouped(deps: Deps, delivery: Delivery): Promise<IngestResult> {
  return new Promise((resolve, reject) => {
    let queue = queues.get(deps);
    if (!queue) {
      queues.set(deps, queue = []);
      soon(() => { queues.delete(deps); void commitGroups(deps, queue!); });
    }
    queue.push({ delivery, resolve, reject });
  });
}

async function commitGroups(deps: Deps, waiting: Waiting[]) {
  for (let i = 0; i < waiting.length;) {
    const group: Waiting[] = [];
    let events = 0;
    while (i < waiting.length && group.length < GROUP_MAX_DELIVERIES && (group.length === 0 || events + waiting[i].delivery.events.length <= GROUP_MAX_EVENTS)) {
      events += waiting[i].delivery.events.length;
      group.push(waiting[i++]);
    }
    await commitGroup(deps, group);
  }
}

async function commitGroup(deps: Deps, group: Waiting[]) {
  try {
    const results = await ingestMany(deps, group.map((w) => w.delivery));
    group.forEach((w, k) => w.resolve(results[k]));
  } catch (err) {
    if (group.length === 1) { group[0].reject(err); return; }
    for (const w of group) {
      try { w.resolve((await ingestMany(deps, [w.delivery]))[0]); } catch (e) { w.reject(e); }
    }
  }
}
