// Everything that runs on a schedule. The Node runtime runs these with node-cron; the
// Workers runtime from its Cron Trigger. Workflow modules add their jobs here.
import type { Deps } from './deps.js';
import { outboxLoop } from './outbox/outbox-loop.js';
import { pollDueInboxes } from './ingest/polling.js';
import { wakeSnoozed } from './workflow/snooze.js';
import { checkSla } from './workflow/sla.js';
import { runFollowUps } from './workflow/follow-up.js';
import { deliverDueWebhooks } from './integrations/outgoing-webhooks.js';
import { mergeSearchIndex } from './search/search-index.js';
import { pruneEvents } from './core/retention.js';
import { downloadDueMedia } from './media/media-downloads.js';

export interface Job {
  name: string;
  /** node-cron expression (with seconds). */
  cron: string;
  run(deps: Deps): Promise<unknown>;
}

export const jobs: Job[] = [
  // Only wakes the process's one delivery loop (the kick after a reply lands there too).
  { name: 'outbox', cron: '*/2 * * * * *', run: async (d) => { outboxLoop(d).kick(); } },
  { name: 'poll', cron: '*/5 * * * * *', run: (d) => pollDueInboxes(d) },
  { name: 'snooze-wake', cron: '*/30 * * * * *', run: (d) => wakeSnoozed(d) },
  { name: 'sla', cron: '*/30 * * * * *', run: (d) => checkSla(d) },
  { name: 'follow-up', cron: '*/30 * * * * *', run: (d) => runFollowUps(d) },
  { name: 'webhooks-out', cron: '*/3 * * * * *', run: (d) => deliverDueWebhooks(d) },
  // Inbound files waiting to be fetched (kicked right after the webhook that brought them).
  { name: 'media', cron: '*/5 * * * * *', run: (d) => downloadDueMedia(d) },
  // At most 50 steps of 200 pages a minute: keeps the search index near one segment.
  { name: 'search-index', cron: '17 * * * * *', run: (d) => mergeSearchIndex(d) },
  { name: 'events-retention', cron: '43 */10 * * * *', run: (d) => pruneEvents(d) },
];

/** Runs a job unless its previous run is still going (no overlapping runs). */
export function guarded(job: Job, deps: Deps): () => Promise<void> {
  let busy = false;
  return async () => {
    if (busy) return;
    busy = true;
    try { await job.run(deps); } catch (err) { deps.log.error({ job: job.name, err: (err as Error).message }, 'job failed'); } finally { busy = false; }
  };
}
