// `npm run demo`: this channel against its fake platform on loopback (see connectors/sandbox.ts).
import { messagingSandbox } from '../meta/messaging-sandbox.js';
import { numericId } from '../sandbox.js';
import { startInstagramFake } from './fake.js';

export const sandbox = messagingSandbox({
  name: 'Instagram @wallet (sandbox)',
  start: () => startInstagramFake(),
  customerId: (c) => `17${numericId(c, 840000)}`,
  write: (fake, webhookUrl, igsid, c, text) => fake.customerWrites(webhookUrl, { igsid, text, name: c.name, username: c.handle }),
});
