// An inbox's stored config with its secrets opened (they are sealed at rest: auth/secret-box.ts).
import type { ChannelKind, Connector } from '../../../connectors/types.js';
import { openFields, sealFields } from '../core/secret-box.js';
import type { Deps } from '../deps.js';

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

/** An inbox's connector with its config: secrets opened, then parsed by the connector's schema. */
export interface InboxConnector { connector: Connector<any>; config: any }

/**
 * The one lookup-and-parse of an inbox's channel: null when no connector serves the channel
 * here (a Node-only channel on Workers); a stored config the schema no longer accepts throws
 * the schema's error, for the caller to record (markBadConfig) or refuse.
 */
export async function connectorFor(deps: Pick<Deps, 'secrets' | 'connectors'>, inbox: { [k: string]: unknown }): Promise<InboxConnector | null> {
  const connector = deps.connectors.get(inbox.channel as ChannelKind);
  if (!connector) return null;
  return { connector, config: connector.config.parse(await openInboxConfig(deps, inbox)) };
}
