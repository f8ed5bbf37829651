// The inbox config keys every Meta channel (Messenger, Instagram, WhatsApp) has besides its
// account id and token, and the webhook checks that read them.
import { z } from 'zod';
import { hubHandshake, verifyHubSignature } from './signature.js';
import { DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION } from './wire.js';

/** The Meta app's webhook secrets: appSecret signs each delivery, verifyToken answers the subscription check. */
export const webhookSecretKeys = {
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
};

/** Where the Graph API is (tests and the sandbox: a fake) and which version is called. */
export const graphRootKeys = {
  apiBaseUrl: z.string().url().default(DEFAULT_GRAPH_URL),
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'apiVersion looks like v25.0').default(DEFAULT_GRAPH_VERSION),
};
export interface GraphRoot { apiBaseUrl: string; apiVersion: string }

/** A Meta connector's `handshake` (hub.challenge) and `verify` (X-Hub-Signature-256 over the raw bytes). */
export const metaWebhook = {
  handshake: (req: Request, c: { verifyToken: string }) => hubHandshake(req, c.verifyToken),
  verify: (req: Request, raw: Uint8Array, c: { appSecret: string }) => verifyHubSignature(req, raw, c.appSecret),
};
