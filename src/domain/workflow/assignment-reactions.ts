// Automatic assignment reacts to what changes who can take work: a new conversation, an
// agent coming online, a conversation handed back.
import type { Deps } from '../deps.js';
import { react } from '../events/reactions.js';
import { assignmentTrigger, requestDrain } from './assignment.js';

export function installAutoAssignment(deps: Deps): void {
  deps.bus.subscribe((e) => {
    const trigger = assignmentTrigger(e);
    if (trigger) react(deps, 'auto-assign', e, () => requestDrain(deps, trigger.inboxId, trigger.avoid));
  });
}
