// A second channel for cross-channel tests, with no platform behind it: kind 'email' (so its
// inboxes and contacts look like mail), any config, and a send that just names the message.
import { z } from 'zod';
import { createRegistry } from '../../connectors/registry.js';
import type { Connector } from '../../connectors/types.js';

export const emailLike: Connector<Record<string, unknown>> = {
  kind: 'email', info: { label: 'Test channel', badge: 'T', color: '#475569', configTemplate: {} }, config: z.object({}).passthrough(), limits: { attachments: false },
  send: async (_c, m) => ({ externalId: `sent-${m.messageId}` }),
};

/** The connector registry with `emailLike` in place of the real email connector. */
export const emailLikeRegistry = () => createRegistry({ email: emailLike });
