// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import { numericId, type SandboxAdapter, type SandboxCustomer } from '../sandbox.js';
import { startInstagramFake } from './fake.js';

export const sandbox: SandboxAdapter = {
  name: 'Instagram @wallet (sandbox)',
  async start() {
    const fake = await startInstagramFake();
    const igsid = (c: SandboxCustomer) => `17${numericId(c, 840000)}`;
    return {
      config: fake.inboxConfig('sandbox-verify-token'),
      async write(inbox, c, text) { await fake.customerWrites(inbox.webhookUrl, { igsid: igsid(c), text, name: c.name, username: c.handle }); },
      outbound: () => fake.sent.map((s) => ({ customerKey: s.recipientId, text: s.text })),
      keyOf: igsid,
      close: () => fake.close(),
    };
  },
};
