// The bindings wrangler.toml gives the Worker (types kept to what Parley calls, so the Workers
// type package does not have to replace the DOM/Node globals the rest of the code is typed with).
import type { D1Database } from '@cloudflare/workers-types';
import type { R2BucketLike } from './r2-blob-store.js';

export interface DurableObjectStub { fetch(input: string, init?: RequestInit): Promise<Response> }
export interface DurableObjectNamespace { idFromName(name: string): unknown; get(id: unknown): DurableObjectStub }
export interface Queue<T> { send(body: T): Promise<void>; sendBatch(msgs: { body: T }[]): Promise<void> }
export interface Fetcher { fetch(input: string | Request, init?: RequestInit): Promise<Response> }

/** What a queue message asks for: one delivery run, one media download run, or one poll of one inbox. */
export type JobMessage = { job: 'outbox' } | { job: 'webhooks-out' } | { job: 'media' } | { job: 'poll'; inboxId: string };

export interface WorkerEnv {
  DB: D1Database;
  EVENTS_HUB: DurableObjectNamespace;
  JOBS: Queue<JobMessage>;
  ASSETS?: Fetcher;
  /** The blob store's bucket (attachments' bytes). */
  FILES: R2BucketLike;
  PARLEY_SECRET?: string;
  /** Seals secrets at rest (see worker-secrets.ts). */
  PARLEY_SECRET_KEY?: string;
  PARLEY_SECRET_KEY_PREVIOUS?: string;
  PARLEY_PUBLIC_URL?: string;
  PARLEY_ADMIN_EMAIL?: string;
  PARLEY_ADMIN_PASSWORD?: string;
  PARLEY_LOG_LEVEL?: string;
  PARLEY_ALLOW_PRIVATE_NETWORK?: string;
}

export interface ExecutionContext { waitUntil(p: Promise<unknown>): void }
export interface QueueMessage<T> { body: T; ack(): void; retry(opts?: { delaySeconds?: number }): void }
export interface MessageBatch<T> { messages: QueueMessage<T>[] }
export interface ScheduledController { cron: string; scheduledTime: number }
