// What the composer may offer for a reply now: the reply policy (free text, a tagged reply,
// templates only, or none), the channel's approved templates when it has any, and the other
// inboxes where the conversation could continue.
import type { ChannelKind, ChannelTemplate } from '../../../connectors/types.js';
import type { Actor } from '../core/actor.js';
import { isoString } from '../core/views.js';
import { getVisibleConversation } from '../conversations/conversations.js';
import type { Deps } from '../deps.js';
import { continuationOptions, type ContinueOption } from './continuation.js';
import { replyPolicy, type ReplyState } from './reply-window.js';
import { inboxTemplates } from './templates.js';

export interface ReplyOptions {
  state: ReplyState;
  closesAt: string | null;
  tag?: string;
  reason?: string;
  templates?: ChannelTemplate[];
  /** The platform did not list the templates: the composer says so rather than offering none. */
  templatesError?: string;
  continueOn: ContinueOption[];
}

export async function replyOptions(deps: Deps, actor: Actor, conversationId: string): Promise<ReplyOptions> {
  const conv = await getVisibleConversation(deps, actor, conversationId);
  const connector = deps.connectors.get(conv.channel as ChannelKind);
  const policy = await replyPolicy(deps, conv, connector, deps.clock.now());
  let templates: ChannelTemplate[] | undefined;
  let templatesError: string | undefined;
  if (connector?.listTemplates) {
    try { templates = (await inboxTemplates(deps, conv.inbox_id)).templates; } catch (err) { templatesError = (err as Error).message; }
  }
  return {
    state: policy.state, closesAt: policy.closesAt == null ? null : isoString(policy.closesAt),
    ...(policy.tag ? { tag: policy.tag } : {}), ...(policy.reason ? { reason: policy.reason } : {}),
    ...(templates ? { templates } : {}), ...(templatesError ? { templatesError } : {}),
    continueOn: await continuationOptions(deps, actor, conv),
  };
}
