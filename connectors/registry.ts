// kind -> connector. Adding a platform = one folder + one line here.
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

export function createRegistry(overrides: Partial<Record<ChannelKind, Connector<any>>> = {}): Registry {
  const all: Connector<any>[] = [
    webchat,
    whatsapp,
    instagram,
    messenger,
    email,
    twitter,
    telegram,
    sms,
    api,
  ];
  const registry: Registry = new Map(all.map((c) => [c.kind, c]));
  for (const [kind, c] of Object.entries(overrides)) if (c) registry.set(kind as ChannelKind, c);
  return registry;
}
