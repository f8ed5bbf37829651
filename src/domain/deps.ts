import type { Registry } from '../../connectors/types.js';
import type { BlobStore } from './media/blobs.js';
import type { EventBus, ParleyEvent } from './events/bus.js';
import type { SecretBox } from './core/secret-box.js';
import type { Clock } from './core/clock.js';
import type { ModelFactory } from './service/assistant/call.js';
import type { Segmenter } from './service/retrieval/segmenter.js';
import type { Store } from './core/store.js';

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
  /** How long stored events are kept (PARLEY_EVENTS_RETENTION_DAYS; default 7 days). */
  eventRetentionMs?: number;
  /** Take the client address from X-Forwarded-For (PARLEY_TRUST_PROXY=1: behind one reverse proxy). */
  trustProxy?: boolean;
  /** HTTP to admin-configured URLs (outgoing webhooks): the runtime's network guard, which
   *  refuses private addresses and never follows redirects (connectors/net-guard.ts on Node). */
  httpFetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Caps on live streams (queue per stream, streams per user/visitor/address); defaults in events/live.ts. */
  liveLimits?: Partial<import('./events/live.js').LiveLimits>;
  /** Ask the outbox worker to deliver now rather than at its next tick. */
  kickOutbox?: () => void;
  /**
   * Where one SSE stream hears live events; default: the in-process bus. Workers open a
   * subscription to the events hub per stream, since one isolate sees only its own events.
   */
  openLive?: () => { subscribe(fn: (e: ParleyEvent) => void): () => void; ready: Promise<void>; closed: Promise<void> };
  /** Ingest each webhook in its own unit (Workers: group commit would share work across requests). */
  perRequestIngest?: boolean;
  /** Ask the media download job to run now (a webhook brought files to fetch). */
  kickMedia?: () => void;
  /** Ask the inbox's poll loop to poll now (config changed, import resumed). */
  wakePoller?: (inboxId: string) => void;
}
