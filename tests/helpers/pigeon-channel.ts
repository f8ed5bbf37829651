// A throwaway channel that exists only in tests: it proves that adding a channel is a connector
// plus a registry entry, and that nothing else (API, OpenAPI text, inbox checks, web app) needs
// to name it. Webhook body {id, from, text}, signed with the shared key as x-pigeon-key.
import { z } from 'zod';
import type { Connector, OutboundMessage } from '../../connectors/types.js';

const pigeonConfig = z.object({
  loftId: z.string().min(1),
  /** At least 12 characters: lets a test see the connector's own rule come back as a 400. */
  sharedKey: z.string().min(12),
});

export const pigeonSent: OutboundMessage[] = [];

export const pigeon: Connector<z.infer<typeof pigeonConfig>> = {
  kind: 'pigeon',
  info: { label: 'Carrier pigeon', badge: 'PGN', color: '#a16207', configTemplate: { loftId: '', sharedKey: '' } },
  config: pigeonConfig,
  secretFields: ['sharedKey'],
  verify: async (req, _raw, c) => req.headers.get('x-pigeon-key') === c.sharedKey,
  parse(raw) {
    const b = JSON.parse(new TextDecoder().decode(raw)) as { id: string; from: string; text: string };
    return [{ kind: 'message', externalId: b.id, threadKey: b.from, sender: { externalId: b.from, name: b.from }, text: b.text, attachments: [], sentAt: Date.now() }];
  },
  async send(_c, msg) {
    pigeonSent.push(msg);
    return { externalId: `pigeon-${msg.messageId}` };
  },
  limits: { attachments: false, maxTextLength: 140 },
};
