// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import { numericId, type SandboxAdapter, type SandboxCustomer } from '../sandbox.js';
import { startMessengerFake } from './fake.js';

export const sandbox: SandboxAdapter = {
  name: 'Facebook Page (sandbox)',
  async start() {
    const fake = await startMessengerFake();
    const psid = (c: SandboxCustomer) => `7${numericId(c, 100000)}`;
    return {
      config: fake.inboxConfig('sandbox-verify-token'),
      async write(inbox, c, text) { await fake.customerWrites(inbox.webhookUrl, { psid: psid(c), text, name: c.name }); },
      outbound: () => fake.sent.map((s) => ({ customerKey: s.recipientId, text: s.text })),
      keyOf: psid,
      close: () => fake.close(),
    };
  },
};
