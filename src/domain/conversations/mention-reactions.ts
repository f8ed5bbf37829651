// A private note that @mentions teammates tells each of them.
import type { Deps } from '../deps.js';
import { react } from '../events/reactions.js';
import { notifyMentions } from './mentions.js';

export function installMentionNotices(deps: Deps): void {
  deps.bus.subscribe((e) => {
    if (e.type === 'message.created' && (e.payload.message as { private?: boolean } | undefined)?.private) {
      react(deps, 'mentions', e, () => notifyMentions(deps, e));
    }
  });
}
