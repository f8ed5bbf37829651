// Workers: what the Cron Trigger (once a minute) and the jobs queue run. The same domain
// functions as node-cron's jobs (src/domain/jobs.ts); only the schedule differs: delivery runs
// when a write asks for it (queue) and once a minute for retries; polling fans out one queue
// message per due inbox so one slow platform never holds up the others.
import type { ChannelKind } from '../../connectors/types.js';
import type { Deps } from '../domain/deps.js';
import { runFollowUps } from '../domain/workflow/follow-up.js';
import { downloadDueMedia } from '../domain/media/media-downloads.js';
import { deliverDueOutbox } from '../domain/outbox/outbox.js';
import { deliverDueWebhooks } from '../domain/integrations/outgoing-webhooks.js';
import { isPaused } from '../domain/ingest/import-progress.js';
import { connectorFor } from '../domain/inboxes/inbox-config.js';
import { pollInbox } from '../domain/ingest/polling.js';
import { mergeSearchIndex } from '../domain/search/search-index.js';
import { checkSla } from '../domain/workflow/sla.js';
import { wakeSnoozed } from '../domain/workflow/snooze.js';
import type { JobMessage, WorkerEnv } from './worker-env.js';

/** Channels whose polling needs Node (IMAP over raw TCP with imapflow). */
export const NODE_ONLY_POLLING: ReadonlySet<string> = new Set(['email']);

const sweeps: [string, (d: Deps) => Promise<unknown>][] = [
  ['snooze-wake', wakeSnoozed],
  ['sla', checkSla],
  ['follow-up', runFollowUps],
  ['outbox', (d) => deliverDueOutbox(d)],
  ['webhooks-out', (d) => deliverDueWebhooks(d)],
  // Retries of inbound file downloads (the first try is a queue message sent on ingest).
  ['media', (d) => downloadDueMedia(d)],
  // Fewer steps than on Node: a tick has a CPU budget.
  ['search-index', (d) => mergeSearchIndex(d, { maxSteps: 10 })],
];

export async function scheduledSweeps(deps: Deps, env: WorkerEnv): Promise<void> {
  for (const [name, run] of sweeps) {
    try { await run(deps); } catch (err) { deps.log.error({ job: name, err: (err as Error).message }, 'job failed'); }
  }
  const due = await pollingInboxesDue(deps);
  if (due.length) await env.JOBS.sendBatch(due.map((inboxId) => ({ body: { job: 'poll' as const, inboxId } })));
}

async function pollingInboxesDue(deps: Deps): Promise<string[]> {
  const rows = await deps.store.all<{ id: string; channel: string; config: string; import_progress: string | null }>('SELECT id, channel, config, import_progress FROM inboxes WHERE next_poll_at IS NULL OR next_poll_at <= ?', [deps.clock.now()]);
  const due: string[] = [];
  for (const r of rows) {
    if (NODE_ONLY_POLLING.has(r.channel) || isPaused(r)) continue;
    const c = deps.connectors.get(r.channel as ChannelKind);
    if (!c?.poll) continue;
    try { if (c.pollSeconds?.((await connectorFor(deps, r))!.config) != null) due.push(r.id); } catch { /* unreadable: left alone */ }
  }
  return due;
}

export async function runJobMessage(deps: Deps, m: JobMessage): Promise<void> {
  if (m.job === 'outbox') await deliverDueOutbox(deps);
  else if (m.job === 'webhooks-out') await deliverDueWebhooks(deps);
  else if (m.job === 'media') await downloadDueMedia(deps);
  else if (m.job === 'poll') {
    const inbox = await deps.store.get('SELECT * FROM inboxes WHERE id = ?', [m.inboxId]);
    const c = inbox && deps.connectors.get(inbox.channel as ChannelKind);
    if (!inbox || !c?.poll || isPaused(inbox)) return;
    const every = c.pollSeconds?.((await connectorFor(deps, inbox))!.config) ?? 60;
    await pollInbox(deps, inbox, every);
  }
}
