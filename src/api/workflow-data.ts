// Module 'workflow-data': contacts, search, outgoing webhooks and reports. Registered with
// one line in src/api/modules.ts; its delivery job is in src/domain/core/jobs.ts.
import type { Module } from './modules.js';
import type { Deps } from '../domain/core/deps.js';
import { enqueueDeliveries } from '../domain/integrations/outgoing-webhooks.js';
import { contactRoutes } from './contacts.js';
import { router } from './env.js';
import { reportRoutes } from './reports.js';
import { searchRoutes } from './search.js';
import { outgoingWebhookRoutes } from './webhooks-out.js';

const inFlight = new WeakMap<object, Set<Promise<unknown>>>();

/** Resolves once every delivery row for events published so far is written (tests, shutdown). */
export async function workflowDataSettled(deps: Deps): Promise<void> {
  const set = inFlight.get(deps);
  while (set && set.size) await Promise.allSettled([...set]);
}

export const workflowDataModule: Module = {
  name: 'workflow-data',
  api: () => {
    const app = router();
    app.route('/', contactRoutes());
    app.route('/', searchRoutes());
    app.route('/', outgoingWebhookRoutes());
    app.route('/', reportRoutes());
    return app;
  },
  install: (deps) => {
    let set = inFlight.get(deps);
    if (!set) inFlight.set(deps, (set = new Set()));
    const pending = set;
    deps.bus.subscribe((e) => {
      const p = enqueueDeliveries(deps, e).catch((err) => deps.log.error({ event: e.type, eventId: e.id, err: (err as Error).message }, 'webhook enqueue failed'));
      pending.add(p);
      void p.finally(() => pending.delete(p));
    });
  },
};
