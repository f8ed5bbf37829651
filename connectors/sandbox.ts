// What a channel's sandbox adapter (connectors/<kind>/sandbox.ts, `export const sandbox`)
// gives `npm run demo`: start the platform's fake on loopback, the inbox config pointing at
// it, a simulated customer writing in, and what Parley sent back out. Node-only (the fakes are
// node:http servers): nothing the Worker loads imports these files.

/** A simulated customer, as the sandbox script casts them. */
export interface SandboxCustomer {
  id: string;
  name: string;
  email?: string;
  phone?: string;
  handle?: string;
}

/** The inbox Parley opened for the adapter's config. */
export interface SandboxInbox {
  id: string;
  /** Parley's /webhooks/:inboxId on loopback. */
  webhookUrl: string;
  /** Parley's own root (the public web chat endpoints). */
  baseUrl: string;
  webchatToken?: string;
}

export interface SandboxOutbound { customerKey: string; text: string }

export interface SandboxRun {
  config: Record<string, unknown>;
  /** The simulated customer writes (to the webhook, the fake's poll queue or the public widget API). */
  write(inbox: SandboxInbox, c: SandboxCustomer, text: string): Promise<void>;
  /** Everything Parley has sent out on this channel so far, keyed by the customer it went to. */
  outbound(): SandboxOutbound[];
  /** Maps a customer to the key outbound() uses for them. */
  keyOf(c: SandboxCustomer): string;
  close(): Promise<void>;
}

export interface SandboxAdapter {
  /** The sandbox inbox's name. */
  name: string;
  start(): Promise<SandboxRun>;
}

/** A stable number per simulated customer, for platform ids (PSIDs, chat ids). */
export const numericId = (c: SandboxCustomer, base: number) => base + Number(c.id.replace(/\D/g, ''));
