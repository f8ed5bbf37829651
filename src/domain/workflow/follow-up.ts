// Follow-up (settings.followUp = {afterHours, message, autoResolveAfterHours}): when we answered
// and the customer has gone quiet for afterHours, one polite automatic message goes out; if the
// customer still does not answer within autoResolveAfterHours after it, the conversation is
// resolved. follow_ups is keyed by the customer's last message time: a customer reply starts a
// new key (reset), and the INSERT ... ON CONFLICT DO NOTHING RETURNING claim means one follow-up
// per silence even with two schedulers.
import { z } from 'zod';
import { conversationChanged, loadConversationRow } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import { writeOutgoing } from '../conversations/messages.js';
import { raw } from '../core/store.js';
import type { ConversationRow, FollowUpRow, InboxRow } from '../core/rows.js';
import { jsonObject } from '../core/json-text.js';
import { latestInboundIsBulk } from '../conversations/bulk.js';
import { registerInboxSettings } from '../inboxes/inbox-settings.js';

export const followUpSettingsSchema = z.object({
  afterHours: z.number().positive(),
  message: z.string().trim().min(1).max(2000).optional(),
  autoResolveAfterHours: z.number().positive().optional(),
});
registerInboxSettings('followUp', followUpSettingsSchema);

export const DEFAULT_FOLLOW_UP = 'Just checking in: do you still need help with this? Reply here any time and we will pick it up.';
const HOUR = 3_600_000;
const BATCH = 200;

// Waiting on the customer: open/pending, nobody waiting on us, and our message is the last public one.
const DUE_FOLLOW_UPS = `SELECT c.id, coalesce(c.last_incoming_at, 0) AS after_incoming_at, i.settings
  FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
  WHERE c.status IN ('open', 'pending') AND c.waiting_since IS NULL
    AND json_extract(i.settings, '$.followUp.afterHours') > 0
    AND EXISTS (SELECT 1 FROM messages m WHERE m.id = (
        SELECT m2.id FROM messages m2 WHERE m2.conversation_id = c.id AND m2.private = 0 ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)
      AND m.direction = 'out' AND m.created_at <= ?1 - json_extract(i.settings, '$.followUp.afterHours') * ${HOUR})
    AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.conversation_id = c.id AND f.after_incoming_at = coalesce(c.last_incoming_at, 0))
    AND ${latestInboundIsBulk('c.id')} = 0
  LIMIT ${BATCH}`;

const CLAIM = `INSERT INTO follow_ups(conversation_id, after_incoming_at, sent_at) VALUES (?, ?, ?)
  ON CONFLICT(conversation_id, after_incoming_at) DO NOTHING RETURNING conversation_id`;

// Still silent since the follow-up (same key), still open: time to resolve.
const DUE_RESOLVES = `SELECT f.conversation_id, f.after_incoming_at FROM follow_ups f
  JOIN conversations c ON c.id = f.conversation_id JOIN inboxes i ON i.id = c.inbox_id
  WHERE f.resolved_at IS NULL AND c.status IN ('open', 'pending') AND c.waiting_since IS NULL
    AND coalesce(c.last_incoming_at, 0) = f.after_incoming_at
    AND json_extract(i.settings, '$.followUp.autoResolveAfterHours') > 0
    AND f.sent_at <= ?1 - json_extract(i.settings, '$.followUp.autoResolveAfterHours') * ${HOUR}
  LIMIT ${BATCH}`;

export interface FollowUpReport { followedUp: number; skipped: number; resolved: number }

export async function runFollowUps(deps: Deps): Promise<FollowUpReport> {
  const now = deps.clock.now();
  const report: FollowUpReport = { followedUp: 0, skipped: 0, resolved: 0 };
  for (const r of await deps.store.all<Pick<ConversationRow, 'id'> & Pick<FollowUpRow, 'after_incoming_at'> & Pick<InboxRow, 'settings'>>(DUE_FOLLOW_UPS, [now])) {
    const settings = followUpSettingsSchema.safeParse(jsonObject(r.settings).followUp);
    if (!settings.success) continue;
    const [claimed] = await deps.store.atomically([raw(CLAIM, r.id, r.after_incoming_at, now)]);
    if (claimed.length === 0) continue;
    const conv = await loadConversationRow(deps, r.id);
    if (!conv) continue;
    try {
      const msg = await writeOutgoing(deps, conv, {
        content: settings.data.message ?? DEFAULT_FOLLOW_UP, senderType: 'bot', senderId: null, meta: { followUp: true },
      });
      await deps.store.run('UPDATE follow_ups SET message_id = ? WHERE conversation_id = ? AND after_incoming_at = ?', [msg.id, r.id, r.after_incoming_at]);
      report.followedUp++;
    } catch (err) {
      // The channel will not take it (e.g. its reply window closed): note why; auto-resolve still applies.
      const code = err instanceof AppError ? err.code : 'send_failed';
      await deps.store.run('UPDATE follow_ups SET skipped = ? WHERE conversation_id = ? AND after_incoming_at = ?', [code, r.id, r.after_incoming_at]);
      deps.log.info({ conversationId: r.id, reason: code }, 'follow-up skipped');
      report.skipped++;
    }
  }

  for (const r of await deps.store.all<Pick<FollowUpRow, 'conversation_id' | 'after_incoming_at'>>(DUE_RESOLVES, [now])) {
    const [done] = await deps.store.atomically([
      raw(`UPDATE conversations SET status = 'resolved', resolved_at = ?1, snooze_until = NULL, waiting_since = NULL
           WHERE id = ?2 AND status IN ('open', 'pending') AND waiting_since IS NULL AND coalesce(last_incoming_at, 0) = ?3 RETURNING id`, now, r.conversation_id, r.after_incoming_at),
      raw(`UPDATE follow_ups SET resolved_at = ?1 WHERE conversation_id = ?2 AND after_incoming_at = ?3 AND resolved_at IS NULL
           AND EXISTS (SELECT 1 FROM conversations WHERE id = ?2 AND status = 'resolved' AND resolved_at = ?1)`, now, r.conversation_id, r.after_incoming_at),
    ]);
    if (done.length === 0) continue;
    await conversationChanged(deps, r.conversation_id, { status: 'resolved', by: 'follow-up' });
    report.resolved++;
  }
  return report;
}
