// Module 'workflow-service': business hours, SLA, follow-up, CSAT, FAQ and the after-hours bot.
// Routes: FAQ articles and suggestions (the public CSAT answer lives in webchat.ts). Reactions:
// a resolved conversation asks for a rating; a customer message is first checked as a rating
// reply, then shown to the bot. Scheduled jobs (SLA, follow-up) are listed in src/domain/core/jobs.ts.
import type { Module } from './modules.js';
import { botAwayNow, botOnInbound } from '../domain/service/bot.js';
import { consumeRatingReply, parseRatingReply, requestCsat } from '../domain/service/csat.js';
import { inboxSettings } from '../domain/inboxes/inboxes.js';
import type { Deps } from '../domain/core/deps.js';
import { slaListFilter } from '../domain/workflow/sla.js';
import type { ParleyEvent } from '../domain/events/bus.js';
import { listFilterExtensions, type ListFilterExtension } from './conversations.js';
import { businessHoursRoutes } from './business-hours.js';
import { faqRoutes } from './faq.js';
import { retrievalRoutes } from './retrieval.js';
import { assistantRoutes } from './assistant.js';
import { indexResolvedConversation } from '../domain/service/retrieval/resolved-conversations.js';
import { router } from './env.js';

const slaExtension: ListFilterExtension = (q) => slaListFilter(q.sla);

// Reactions run after the event that caused them; tests (and a graceful shutdown) wait for them.
const inFlight = new WeakMap<object, Set<Promise<unknown>>>();

function track(deps: Deps, what: string, e: ParleyEvent, work: () => Promise<unknown>) {
  let set = inFlight.get(deps);
  if (!set) inFlight.set(deps, (set = new Set()));
  const p = work().catch((err) => deps.log.error({ event: e.type, eventId: e.id, what, err: (err as Error).message }, 'workflow-service reaction failed'));
  set.add(p);
  void p.finally(() => set.delete(p));
}

/** Resolves once every reaction started so far (and those they started in turn) has finished. */
export async function workflowServiceSettled(deps: Deps): Promise<void> {
  const set = inFlight.get(deps);
  while (set && set.size) await Promise.allSettled([...set]);
}

async function onCustomerMessage(deps: Deps, m: { id: string; content: string }, inboxId: string | null) {
  // Most customer messages are neither a rating nor for the bot: tell from the event and the
  // inbox settings before reading the stored row (that read was ~3% of a webhook's CPU).
  const rating = parseRatingReply(m.content) !== null;
  if (!rating && !(inboxId && botAwayNow(await inboxSettings(deps, inboxId), deps.clock.now()))) return;
  const row = await deps.store.get('SELECT * FROM messages WHERE id = ?', [m.id]);
  if (!row) return;
  if (rating && await consumeRatingReply(deps, row)) return;
  await botOnInbound(deps, row);
}

export const workflowServiceModule: Module = {
  name: 'workflow-service',
  api: () => {
    const app = router();
    app.route('/', faqRoutes());
    app.route('/', retrievalRoutes());
    app.route('/', assistantRoutes());
    app.route('/', businessHoursRoutes());
    return app;
  },
  install(deps) {
    if (!listFilterExtensions.includes(slaExtension)) listFilterExtensions.push(slaExtension);
    deps.bus.subscribe((e) => {
      if (e.type === 'conversation.updated' && e.conversationId) {
        const status = (e.payload.conversation as { status?: string } | undefined)?.status ?? e.payload.status;
        if (status === 'resolved') {
          track(deps, 'csat-request', e, () => requestCsat(deps, e.conversationId!));
          track(deps, 'index-resolved', e, () => indexResolvedConversation(deps, e.conversationId!));
        }
      } else if (e.type === 'message.created') {
        const m = e.payload.message as { id: string; content: string; direction: string; private: boolean; sender: { type: string }; automated?: boolean } | undefined;
        // Auto-replies and bounces get no bot answer, no CSAT reading, no SLA clock.
        if (m && m.direction === 'in' && !m.private && !m.automated && m.sender.type === 'contact') track(deps, 'customer-message', e, () => onCustomerMessage(deps, m, e.inboxId));
      }
    });
  },
};
