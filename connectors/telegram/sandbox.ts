// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import { numericId, type SandboxAdapter, type SandboxCustomer } from '../sandbox.js';
import { startTelegramFake } from './fake.js';

export const sandbox: SandboxAdapter = {
  name: 'Telegram bot (sandbox)',
  async start() {
    const fake = await startTelegramFake({ botUsername: 'wallet_help_bot' });
    const id = (c: SandboxCustomer) => numericId(c, 500_000);
    return {
      config: fake.inboxConfig({ mode: 'polling', pollSeconds: 3 }),
      async write(_inbox, c, text) {
        const [first, ...rest] = c.name.split(' ');
        await fake.customerWrites({ from: { id: id(c), first_name: first, last_name: rest.join(' ') || undefined, username: c.handle }, text });
      },
      outbound: () => fake.sends.map((s) => ({ customerKey: String(s.chat_id), text: s.text })),
      keyOf: (c) => String(id(c)),
      close: () => fake.close(),
    };
  },
};
