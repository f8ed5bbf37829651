// The customer-service reactions: a resolved conversation asks for a rating and feeds the
// assistant's resolved-conversation index; a customer message is first read as a rating
// reply, then shown to the after-hours bot.
import type { Deps } from '../deps.js';
import { react } from '../events/reactions.js';
import { inboxSettings } from '../inboxes/inboxes.js';
import { botAwayNow, botOnInbound } from './bot.js';
import { consumeRatingReply, parseRatingReply, requestCsat } from './csat.js';
import { indexResolvedConversation } from './retrieval/resolved-conversations.js';
import type { MessageRow } from '../core/rows.js';

async function onCustomerMessage(deps: Deps, m: { id: string; content: string }, inboxId: string | null) {
  // Most customer messages are neither a rating nor for the bot: tell from the event and the
  // inbox settings before reading the stored row (that read was ~3% of a webhook's CPU).
  const rating = parseRatingReply(m.content) !== null;
  if (!rating && !(inboxId && botAwayNow(await inboxSettings(deps, inboxId), deps.clock.now()))) return;
  const row = await deps.store.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [m.id]);
  if (!row) return;
  if (rating && await consumeRatingReply(deps, row)) return;
  await botOnInbound(deps, row);
}

export function installServiceReactions(deps: Deps): void {
  deps.bus.subscribe((e) => {
    if (e.type === 'conversation.updated' && e.conversationId) {
      const status = (e.payload.conversation as { status?: string } | undefined)?.status ?? e.payload.status;
      if (status === 'resolved') {
        react(deps, 'csat-request', e, () => requestCsat(deps, e.conversationId!));
        react(deps, 'index-resolved', e, () => indexResolvedConversation(deps, e.conversationId!));
      }
    } else if (e.type === 'message.created') {
      const m = e.payload.message as { id: string; content: string; direction: string; private: boolean; sender: { type: string }; automated?: boolean; bulk?: boolean } | undefined;
      // Auto-replies and bounces get no bot answer, no CSAT reading, no SLA clock; mass mail (bulk) no bot answer nor CSAT reading.
      if (m && m.direction === 'in' && !m.private && !m.automated && !m.bulk && m.sender.type === 'contact') react(deps, 'customer-message', e, () => onCustomerMessage(deps, m, e.inboxId));
    }
  });
}
