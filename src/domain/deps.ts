import type { Registry } from '../../connectors/registry.js';
import type { EventBus, ParleyEvent } from '../events/bus.js';
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
  /**
   * Where one SSE stream hears live events; default: the in-process bus. Workers open a
   * subscription to the events hub per stream, since one isolate sees only its own events.
   */
  openLive?: () => { subscribe(fn: (e: ParleyEvent) => void): () => void; ready: Promise<void>; closed: Promise<void> };
  /** Ingest each webhook in its own unit (Workers: group commit would share work across requests). */
  perRequestIngest?: boolean;
  /** Ask the inbox's poll loop to poll now (config changed, import resumed). */
  wakePoller?: (inboxId: string) => void;
}
