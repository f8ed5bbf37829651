// Secrets at rest and outgoing HTTP on Workers. The key that seals stored secrets is the
// PARLEY_SECRET_KEY secret (32 bytes, hex or base64: `wrangler secret put PARLEY_SECRET_KEY`),
// with PARLEY_SECRET_KEY_PREVIOUS during a rotation; a Worker has no data folder for a key file.
// Outgoing requests to admin-configured URLs: Cloudflare's network does not route to private
// ranges, so the check here is the URL's own (scheme, literal private IP) and no redirects.
import { createSecretBox, parseKey, type SecretBox } from '../domain/core/secret-box.js';
import type { WorkerEnv } from './worker-env.js';

export async function workerSecretBox(env: WorkerEnv): Promise<SecretBox> {
  if (!env.PARLEY_SECRET_KEY) throw new Error('PARLEY_SECRET_KEY is not set: wrangler secret put PARLEY_SECRET_KEY (32 random bytes, base64)');
  const keys = [parseKey(env.PARLEY_SECRET_KEY)];
  if (env.PARLEY_SECRET_KEY_PREVIOUS) keys.push(parseKey(env.PARLEY_SECRET_KEY_PREVIOUS));
  return createSecretBox(keys);
}

const PRIVATE_V4 = /^(?:0|10|127)\.|^169\.254\.|^192\.168\.|^172\.(?:1[6-9]|2\d|3[01])\.|^100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./;

export const workerFetch = (env: WorkerEnv) => async (url: string, init: RequestInit): Promise<Response> => {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`refused to call ${u.protocol} URL: only http and https`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const isPrivate = PRIVATE_V4.test(host) || host === 'localhost' || host === '::1' || /^f[cd]|^fe80:/i.test(host);
  if (isPrivate && env.PARLEY_ALLOW_PRIVATE_NETWORK !== '1') {
    throw new Error(`refused to call ${u.hostname}: a private or loopback address`);
  }
  return fetch(u, { ...init, redirect: 'manual' });
};
