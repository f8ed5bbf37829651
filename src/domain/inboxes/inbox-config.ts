// An inbox's stored config with its secrets opened (they are sealed at rest: auth/secret-box.ts).
import type { ChannelKind } from '../../../connectors/types.js';
import { openFields, sealFields } from '../core/secret-box.js';
import type { Deps } from '../core/deps.js';

type Json = Record<string, unknown>;

export function openInboxConfig(deps: Pick<Deps, 'secrets' | 'connectors'>, inbox: { [k: string]: unknown }): Promise<Json> {
  const config = (typeof inbox.config === 'string' ? JSON.parse(inbox.config) : inbox.config) as Json;
  const fields = deps.connectors.get(inbox.channel as ChannelKind)?.secretFields ?? [];
  return fields.length ? openFields(deps.secrets, config, fields) : Promise.resolve(config);
}

/** The config as stored: secret fields sealed with the current key. */
export async function sealInboxConfig(deps: Pick<Deps, 'secrets' | 'connectors'>, channel: string, config: Json): Promise<string> {
  const fields = deps.connectors.get(channel as ChannelKind)?.secretFields ?? [];
  return JSON.stringify(fields.length ? await sealFields(deps.secrets, config, fields) : config);
}
