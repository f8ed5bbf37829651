// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import { messagingSandbox } from '../meta/messaging-sandbox.js';
import { numericId } from '../sandbox.js';
import { startMessengerFake } from './fake.js';

export const sandbox = messagingSandbox({
  name: 'Facebook Page (sandbox)',
  start: () => startMessengerFake(),
  customerId: (c) => `7${numericId(c, 100000)}`,
  write: (fake, webhookUrl, psid, c, text) => fake.customerWrites(webhookUrl, { psid, text, name: c.name }),
});
