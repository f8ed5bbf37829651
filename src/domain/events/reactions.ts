// Work an event starts after it is published (auto-assignment, mentions, CSAT, the bot,
// outgoing webhooks, ...). Every reaction goes through `react`, so one call waits for all of
// them: tests, a graceful shutdown, and Workers' waitUntil (an isolate may stop once the
// response is sent, so what it started must be handed to the runtime).
import type { Deps } from '../deps.js';
import type { ParleyEvent } from './bus.js';

const inFlight = new WeakMap<object, Set<Promise<unknown>>>();

/** Runs `work` for event `e`; a failure is logged with what failed, never thrown at the bus. */
export function react(deps: Deps, what: string, e: ParleyEvent, work: () => Promise<unknown>): void {
  let set = inFlight.get(deps);
  if (!set) inFlight.set(deps, (set = new Set()));
  let started: Promise<unknown>;
  try {
    started = work(); // started now, in the publisher's turn, as the reactions always were
  } catch (err) {
    started = Promise.reject(err);
  }
  const p = started.catch((err) => deps.log.error({ event: e.type, eventId: e.id, what, err: (err as Error).message }, 'reaction failed'));
  set.add(p);
  void p.finally(() => set.delete(p));
}

/** Resolves once every reaction started so far (and those they started in turn) has finished. */
export async function reactionsSettled(deps: Deps): Promise<void> {
  const set = inFlight.get(deps);
  while (set && set.size) await Promise.allSettled([...set]);
}
