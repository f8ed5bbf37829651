// The sandbox adapter (connectors/sandbox.ts) of a Meta messaging channel, Messenger or
// Instagram: the channel's fake on loopback, a simulated customer writing in through a signed
// webhook, and the fake's accepted Send API calls as what Parley sent out.
import type { SandboxAdapter, SandboxCustomer } from '../sandbox.js';
import type { MessagingFakeBase } from './messaging-fake.js';

export interface MessagingSandboxSpec<F> {
  name: string;
  start(): Promise<F>;
  /** The customer's id on the platform (PSID, IGSID): also the key of what was sent to them. */
  customerId(c: SandboxCustomer): string;
  write(fake: F, webhookUrl: string, customerId: string, c: SandboxCustomer, text: string): Promise<unknown>;
}

export function messagingSandbox<F extends MessagingFakeBase & { inboxConfig(verifyToken: string): Record<string, unknown> }>(spec: MessagingSandboxSpec<F>): SandboxAdapter {
  return {
    name: spec.name,
    async start() {
      const fake = await spec.start();
      return {
        config: fake.inboxConfig('sandbox-verify-token'),
        async write(inbox, c, text) { await spec.write(fake, inbox.webhookUrl, spec.customerId(c), c, text); },
        outbound: () => fake.sent.map((s) => ({ customerKey: s.recipientId, text: s.text })),
        keyOf: spec.customerId,
        close: () => fake.close(),
      };
    },
  };
}
