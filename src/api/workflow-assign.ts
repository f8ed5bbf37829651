// Module 'workflow-assign': teams, availability, automatic assignment, snooze, @mentions,
// labels list and canned responses. Registered with one line in src/api/modules.ts.
import type { Module } from './modules.js';
import { assignmentTrigger, requestDrain } from '../domain/workflow/assignment.js';
import type { Deps } from '../domain/core/deps.js';
import { notifyMentions } from '../domain/conversations/mentions.js';
import type { ParleyEvent } from '../domain/events/bus.js';
import { availabilityRoutes } from './availability.js';
import { cannedRoutes } from './canned.js';
import { router } from './env.js';
import { labelRoutes } from './labels.js';
import { teamRoutes } from './teams.js';

// Reactions run after the event that caused them; tests (and a graceful shutdown) wait for them.
const inFlight = new WeakMap<object, Set<Promise<unknown>>>();

function track(deps: Deps, what: string, e: ParleyEvent, work: Promise<unknown>) {
  let set = inFlight.get(deps);
  if (!set) inFlight.set(deps, (set = new Set()));
  const p = work.catch((err) => deps.log.error({ event: e.type, eventId: e.id, what, err: (err as Error).message }, 'workflow-assign reaction failed'));
  set.add(p);
  void p.finally(() => set.delete(p));
}

/** Resolves once every reaction started so far (and those they started in turn) has finished. */
export async function workflowAssignSettled(deps: Deps): Promise<void> {
  const set = inFlight.get(deps);
  while (set && set.size) await Promise.allSettled([...set]);
}

export const workflowAssignModule: Module = {
  name: 'workflow-assign',
  api: () => {
    const app = router();
    app.route('/', teamRoutes());
    app.route('/', availabilityRoutes());
    app.route('/', cannedRoutes());
    app.route('/', labelRoutes());
    return app;
  },
  install(deps) {
    deps.bus.subscribe((e) => {
      const trigger = assignmentTrigger(e);
      if (trigger) track(deps, 'auto-assign', e, requestDrain(deps, trigger.inboxId, trigger.avoid));
      if (e.type === 'message.created' && (e.payload.message as { private?: boolean } | undefined)?.private) {
        track(deps, 'mentions', e, notifyMentions(deps, e));
      }
    });
  },
};
