// Every area's reactions to domain events, installed by one call at start (each runtime
// calls this once per Deps). Wait for them with reactionsSettled (events/reactions.ts).
import type { Deps } from './deps.js';
import { installMentionNotices } from './conversations/mention-reactions.js';
import { installOutgoingWebhooks } from './integrations/outgoing-webhook-reactions.js';
import { installServiceReactions } from './service/service-reactions.js';
import { installAutoAssignment } from './workflow/assignment-reactions.js';

export { reactionsSettled } from './events/reactions.js';

export function installReactions(deps: Deps): void {
  installAutoAssignment(deps);
  installMentionNotices(deps);
  installServiceReactions(deps);
  installOutgoingWebhooks(deps);
}
