// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import type { SandboxAdapter } from '../sandbox.js';
import { startApiFake } from './fake.js';

export const sandbox: SandboxAdapter = {
  name: 'Wallet app in-app chat (API channel, sandbox)',
  async start() {
    const fake = await startApiFake();
    return {
      config: fake.inboxConfig(),
      async write(inbox, c, text) {
        await fake.sendMessage(inbox.webhookUrl, { conversationId: `app-${c.id}`, contact: { id: `user-${c.id}`, name: c.name, email: c.email }, content: text });
      },
      outbound: () => fake.callbacks.map((cb) => ({ customerKey: cb.body.message.conversationId, text: cb.body.message.content })),
      keyOf: (c) => `app-${c.id}`,
      close: () => fake.close(),
    };
  },
};
