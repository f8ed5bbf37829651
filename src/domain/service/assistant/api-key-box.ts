// The model API key at rest: sealed by the same key ring as channel secrets (auth/secret-box.ts,
// AES-256-GCM, PARLEY_SECRET_KEY or the data folder's key file), so `secrets:rotate` re-seals it
// with the rest (domain/secrets-at-rest.ts).
import type { Deps } from '../../deps.js';

export const sealApiKey = (deps: Pick<Deps, 'secrets'>, plain: string): Promise<string> => deps.secrets.seal(plain);

export async function openApiKey(deps: Pick<Deps, 'secrets'>, sealed: string): Promise<string> {
  return deps.secrets.open(sealed);
}
