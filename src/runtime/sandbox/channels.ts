// One adapter per channel for the sandbox: start the platform's fake on loopback, give the
// inbox config that points at it, make a simulated customer write, and read what Parley sent.
import type { ChannelKind } from '../../../connectors/types.js';
import { startApiFake } from '../../../connectors/api/fake.js';
import { startInstagramFake } from '../../../connectors/instagram/fake.js';
import { startWhatsappFake } from '../../../connectors/whatsapp/fake.js';
import { startMessengerFake } from '../../../connectors/messenger/fake.js';
import { startSmsFake } from '../../../connectors/sms/fake.js';
import { startTelegramFake } from '../../../connectors/telegram/fake.js';
import { startTwitterFake } from '../../../connectors/twitter/fake.js';
import type { SimulatedCustomer } from './script.js';

export interface Outbound { customerKey: string; text: string }

export interface SandboxChannelRun {
  config: Record<string, unknown>;
  /** The simulated customer writes; webhookUrl is the inbox's /webhooks/:id. */
  write(webhookUrl: string, c: SimulatedCustomer, text: string): Promise<void>;
  /** Everything Parley has sent out on this channel so far, keyed by the customer it went to. */
  outbound(): Outbound[];
  /** Maps a customer to the key outbound() uses for them. */
  keyOf(c: SimulatedCustomer): string;
  close(): Promise<void>;
}

export interface SandboxChannel {
  channel: ChannelKind;
  name: string;
  start(): Promise<SandboxChannelRun>;
}

const numericId = (c: SimulatedCustomer, base: number) => base + Number(c.id.replace(/\D/g, ''));

export const sandboxChannels: SandboxChannel[] = [
  {
    channel: 'messenger', name: 'Facebook Page (sandbox)',
    async start() {
      const fake = await startMessengerFake();
      const psid = (c: SimulatedCustomer) => `7${numericId(c, 100000)}`;
      return {
        config: fake.inboxConfig('sandbox-verify-token'),
        async write(url, c, text) { await fake.customerWrites(url, { psid: psid(c), text, name: c.name }); },
        outbound: () => fake.sent.map((s) => ({ customerKey: s.recipientId, text: s.text })),
        keyOf: psid,
        close: () => fake.close(),
      };
    },
  },
  {
    channel: 'instagram', name: 'Instagram @wallet (sandbox)',
    async start() {
      const fake = await startInstagramFake();
      const igsid = (c: SimulatedCustomer) => `17${numericId(c, 840000)}`;
      return {
        config: fake.inboxConfig('sandbox-verify-token'),
        async write(url, c, text) { await fake.customerWrites(url, { igsid: igsid(c), text, name: c.name, username: c.handle }); },
        outbound: () => fake.sent.map((s) => ({ customerKey: s.recipientId, text: s.text })),
        keyOf: igsid,
        close: () => fake.close(),
      };
    },
  },
  {
    channel: 'whatsapp', name: 'WhatsApp +1 555 0199 (sandbox)',
    async start() {
      const fake = await startWhatsappFake({ displayPhoneNumber: '15550199' });
      const waId = (c: SimulatedCustomer) => c.phone!.replace(/\D/g, '');
      return {
        config: fake.inboxConfig('sandbox-verify-token'),
        async write(url, c, text) { await fake.customerWrites(url, { waId: waId(c), name: c.name, text }); },
        outbound: () => fake.sent.map((s) => ({ customerKey: s.to, text: s.text })),
        keyOf: waId,
        close: () => fake.close(),
      };
    },
  },
  {
    channel: 'twitter', name: 'X @wallet_help (sandbox)',
    async start() {
      const fake = await startTwitterFake({ ownerUsername: 'wallet_help', ownerName: 'Wallet Help' });
      const id = (c: SimulatedCustomer) => String(numericId(c, 9_000_000));
      return {
        config: fake.inboxConfig({ pollSeconds: 10 }),
        async write(_url, c, text) { fake.customerWrites({ from: { id: id(c), name: c.name, username: c.handle }, text }); },
        outbound: () => fake.sends.map((s) => ({ customerKey: s.participantId, text: s.text })),
        keyOf: id,
        close: () => fake.close(),
      };
    },
  },
  {
    channel: 'telegram', name: 'Telegram bot (sandbox)',
    async start() {
      const fake = await startTelegramFake({ botUsername: 'wallet_help_bot' });
      const id = (c: SimulatedCustomer) => numericId(c, 500_000);
      return {
        config: fake.inboxConfig({ mode: 'polling', pollSeconds: 3 }),
        async write(_url, c, text) {
          const [first, ...rest] = c.name.split(' ');
          await fake.customerWrites({ from: { id: id(c), first_name: first, last_name: rest.join(' ') || undefined, username: c.handle }, text });
        },
        outbound: () => fake.sends.map((s) => ({ customerKey: String(s.chat_id), text: s.text })),
        keyOf: (c) => String(id(c)),
        close: () => fake.close(),
      };
    },
  },
  {
    channel: 'sms', name: 'SMS +1 555 0100 (sandbox)',
    async start() {
      const fake = await startSmsFake({ number: '+15550100' });
      return {
        config: fake.inboxConfig(),
        async write(url, c, text) { await fake.customerTexts(url, { from: c.phone!, body: text }); },
        outbound: () => fake.sends.map((s) => ({ customerKey: s.to, text: s.body })),
        keyOf: (c) => c.phone!,
        close: () => fake.close(),
      };
    },
  },
  {
    channel: 'api', name: 'Wallet app in-app chat (API channel, sandbox)',
    async start() {
      const fake = await startApiFake();
      return {
        config: fake.inboxConfig(),
        async write(url, c, text) {
          await fake.sendMessage(url, { conversationId: `app-${c.id}`, contact: { id: `user-${c.id}`, name: c.name, email: c.email }, content: text });
        },
        outbound: () => fake.callbacks.map((cb) => ({ customerKey: cb.body.message.conversationId, text: cb.body.message.content })),
        keyOf: (c) => `app-${c.id}`,
        close: () => fake.close(),
      };
    },
  },
];
