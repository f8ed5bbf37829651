import type { Registry } from '../../connectors/registry.js';
import type { EventBus } from '../events/bus.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { Clock } from './clock.js';
import type { ModelFactory } from './assistant/call.js';
import type { Segmenter } from './retrieval/segmenter.js';
import type { Store } from './store.js';

/** The narrow logger the domain needs; pino satisfies it. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface Deps {
  store: Store;
  connectors: Registry;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  /** Server secret for signing visitor tokens; from PARLEY_SECRET or generated once and stored. */
  secret: string;
  /** Seals and opens secrets at rest (inbox credentials, webhook secrets, the server secret). */
  secrets: SecretBox;
  /** Public base URL (for webhook URLs shown to admins), e.g. https://support.example.com */
  publicUrl: string;
  /** Chinese word segmenter (jieba on Node); without it retrieval cuts Chinese into bigrams. */
  segmenter?: Segmenter;
  /** Outgoing requests (the model provider) may reach loopback/private addresses (PARLEY_ALLOW_PRIVATE_NETWORK=1). */
  allowPrivateNetwork?: boolean;
  /** Builds the language model client for the account's settings; default: OpenAI-compatible over fetch. */
  modelFactory?: ModelFactory;
  /** HTTP to admin-configured URLs (outgoing webhooks): the runtime's network guard, which
   *  refuses private addresses and never follows redirects (connectors/net-guard.ts on Node). */
  httpFetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Ask the outbox worker to deliver now rather than at its next tick. */
  kickOutbox?: () => void;
}
