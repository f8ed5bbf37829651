// Every published event is matched against the registered outgoing webhooks; the delivery
// rows are written here and sent by the `webhooks-out` job (or a queue on Workers).
import type { Deps } from '../deps.js';
import { react } from '../events/reactions.js';
import { enqueueDeliveries } from './outgoing-webhooks.js';

export function installOutgoingWebhooks(deps: Deps): void {
  deps.bus.subscribe((e) => react(deps, 'webhook-enqueue', e, () => enqueueDeliveries(deps, e)));
}
