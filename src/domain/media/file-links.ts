// Signed, expiring public links to one outgoing file, for channels that fetch files by URL
// (Instagram, Twilio MMS): /public/files/<attachment id>?exp=<unix s>&sig=<hmac>. The signature
// covers the id and the expiry under the server secret, so a link opens only that file and only
// until it expires; nothing is stored per link.
import { base64url, hmacSha256, timingSafeEqualStr } from '../core/crypto.js';
import type { Deps } from '../deps.js';

export const FILE_LINK_TTL_MS = 24 * 3_600_000;

const sign = async (secret: string, id: string, exp: number) => base64url(await hmacSha256(`file-link:${secret}`, `${id}.${exp}`));

export async function signedFileUrl(deps: Pick<Deps, 'secret' | 'publicUrl' | 'clock'>, id: string, ttlMs = FILE_LINK_TTL_MS): Promise<string> {
  const exp = Math.floor((deps.clock.now() + ttlMs) / 1000);
  return `${deps.publicUrl.replace(/\/+$/, '')}/public/files/${encodeURIComponent(id)}?exp=${exp}&sig=${await sign(deps.secret, id, exp)}`;
}

export async function checkFileLink(deps: Pick<Deps, 'secret' | 'clock'>, id: string, exp: string | undefined, sig: string | undefined): Promise<boolean> {
  const e = Number(exp);
  if (!sig || !Number.isInteger(e) || e * 1000 < deps.clock.now()) return false;
  return timingSafeEqualStr(await sign(deps.secret, id, e), sig);
}
