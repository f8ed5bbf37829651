// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import { numericId, type SandboxAdapter, type SandboxCustomer } from '../sandbox.js';
import { startTwitterFake } from './fake.js';

export const sandbox: SandboxAdapter = {
  name: 'X @wallet_help (sandbox)',
  async start() {
    const fake = await startTwitterFake({ ownerUsername: 'wallet_help', ownerName: 'Wallet Help' });
    const id = (c: SandboxCustomer) => String(numericId(c, 9_000_000));
    return {
      config: fake.inboxConfig({ pollSeconds: 10 }),
      async write(_inbox, c, text) { fake.customerWrites({ from: { id: id(c), name: c.name, username: c.handle }, text }); },
      outbound: () => fake.sends.map((s) => ({ customerKey: s.participantId, text: s.text })),
      keyOf: id,
      close: () => fake.close(),
    };
  },
};
