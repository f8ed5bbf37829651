// One builder for the inbound events tests hand to ingest() directly: the fields every
// message needs, defaulted, so a test names only what it is about.
import type { InboundMessageEvent } from '../../connectors/types.js';

let seq = 0;
/** A customer message; externalId and threadKey default to fresh ids, the sender to the thread. */
export function inboundMessage(fields: Partial<InboundMessageEvent> = {}): InboundMessageEvent {
  const externalId = fields.externalId ?? `in-${++seq}`;
  const threadKey = fields.threadKey ?? externalId;
  return { kind: 'message', externalId, threadKey, sender: { externalId: threadKey }, text: 'hello', attachments: [], sentAt: Date.now(), ...fields };
}
