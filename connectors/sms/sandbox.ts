// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import type { SandboxAdapter } from '../sandbox.js';
import { startSmsFake } from './fake.js';

export const sandbox: SandboxAdapter = {
  name: 'SMS +1 555 0100 (sandbox)',
  async start() {
    const fake = await startSmsFake({ number: '+15550100' });
    return {
      config: fake.inboxConfig(),
      async write(inbox, c, text) { await fake.customerTexts(inbox.webhookUrl, { from: c.phone!, body: text }); },
      outbound: () => fake.sends.map((s) => ({ customerKey: s.to, text: s.body })),
      keyOf: (c) => c.phone!,
      close: () => fake.close(),
    };
  },
};
