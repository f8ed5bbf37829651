// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import type { SandboxAdapter, SandboxCustomer } from '../sandbox.js';
import { startWhatsappFake } from './fake.js';

export const sandbox: SandboxAdapter = {
  name: 'WhatsApp +1 555 0199 (sandbox)',
  async start() {
    const fake = await startWhatsappFake({ displayPhoneNumber: '15550199' });
    const waId = (c: SandboxCustomer) => c.phone!.replace(/\D/g, '');
    return {
      config: fake.inboxConfig('sandbox-verify-token'),
      async write(inbox, c, text) { await fake.customerWrites(inbox.webhookUrl, { waId: waId(c), name: c.name, text }); },
      outbound: () => fake.sent.map((s) => ({ customerKey: s.to, text: s.text })),
      keyOf: waId,
      close: () => fake.close(),
    };
  },
};
