// kind -> connector: the one list of channels. Adding a platform = its folder + one line in
// BUILT_IN (docs/channels.md lists the rest). Everything else (CHANNEL_KINDS, the inbox
// checks, GET /api/v1/channels, the web app's forms and badges, the sandbox) reads it.
import type { ChannelKind, Connector, Registry } from './types.js';
import { webchat } from './webchat/index.js';
import { whatsapp } from './whatsapp/index.js';
import { instagram } from './instagram/index.js';
import { messenger } from './messenger/index.js';
import { email } from './email/index.js';
import { twitter } from './twitter/index.js';
import { telegram } from './telegram/index.js';
import { sms } from './sms/index.js';
import { api } from './api/index.js';

export type { Registry } from './types.js';

const BUILT_IN: Connector<any>[] = [
  webchat,
  email,
  twitter,
  messenger,
  instagram,
  whatsapp,
  telegram,
  sms,
  api,
];

/** The kinds of the built-in connectors, in the order the web app lists them. */
export const CHANNEL_KINDS: readonly ChannelKind[] = BUILT_IN.map((c) => c.kind);

/** The built-in connectors; `overrides` replaces one by kind or adds a new kind (tests, extensions). */
export function createRegistry(overrides: Record<ChannelKind, Connector<any> | undefined> = {}): Registry {
  const registry: Registry = new Map(BUILT_IN.map((c) => [c.kind, c]));
  for (const [kind, c] of Object.entries(overrides)) if (c) registry.set(kind, c);
  return registry;
}
