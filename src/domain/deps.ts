import type { Registry } from '../../connectors/registry.js';
import type { BlobStore } from './blobs.js';
import type { EventBus } from '../events/bus.js';
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
  /** File bytes (attachments), content-addressed; SQLite keeps only their metadata. */
  blobs: BlobStore;
  connectors: Registry;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  /** Server secret for signing visitor tokens; from PARLEY_SECRET or generated once and stored. */
  secret: string;
  /** Public base URL (for webhook URLs shown to admins), e.g. https://support.example.com */
  publicUrl: string;
  /** Chinese word segmenter (jieba on Node); without it retrieval cuts Chinese into bigrams. */
  segmenter?: Segmenter;
  /** Outgoing requests (the model provider) may reach loopback/private addresses (PARLEY_ALLOW_PRIVATE_NETWORK=1). */
  allowPrivateNetwork?: boolean;
  /** Builds the language model client for the account's settings; default: OpenAI-compatible over fetch. */
  modelFactory?: ModelFactory;
  /** Ask the outbox worker to deliver now rather than at its next tick. */
  kickOutbox?: () => void;
  /** Ask the media download job to run now (a webhook brought files to fetch). */
  kickMedia?: () => void;
}
