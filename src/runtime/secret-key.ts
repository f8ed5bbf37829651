// Where the key that seals secrets at rest comes from (see auth/secret-box.ts):
// - PARLEY_SECRET_KEY (32 bytes, hex or base64), with PARLEY_SECRET_KEY_PREVIOUS during a
//   rotation: values sealed with the previous key are re-sealed with the new one on start;
// - otherwise the key file `secret.key` in the data folder, created on first start, owner-only
//   (0600). `npm run cli -- secrets:rotate` writes `secret.key.next`, re-seals every secret in one
//   transaction, then renames it over `secret.key`; a start that finds `.next` finishes the job.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newKeyText, parseKey } from '../domain/core/secret-box.js';

export interface KeySource {
  /** Newest first: the first key seals. */
  keys: Uint8Array[];
  /** After re-sealing with keys[0]: make it the only key (file mode: rename .next over the key file). */
  commit(): void;
  where: string;
}

export const keyFileOf = (dbFile: string) => join(dirname(dbFile), 'secret.key');

export function loadSecretKeys(dbFile: string, env: NodeJS.ProcessEnv = process.env): KeySource {
  if (env.PARLEY_SECRET_KEY) {
    const keys = [parseKey(env.PARLEY_SECRET_KEY)];
    if (env.PARLEY_SECRET_KEY_PREVIOUS) keys.push(parseKey(env.PARLEY_SECRET_KEY_PREVIOUS));
    return { keys, commit() {}, where: 'PARLEY_SECRET_KEY' };
  }
  const file = keyFileOf(dbFile);
  const next = `${file}.next`;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try { writeFileSync(file, `${newKeyText()}\n`, { mode: 0o600, flag: 'wx' }); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; }
  }
  chmodSync(file, 0o600);
  const keys = [parseKey(readFileSync(file, 'utf8'))];
  if (existsSync(next)) keys.unshift(parseKey(readFileSync(next, 'utf8')));
  return { keys, commit: () => { if (existsSync(next)) renameSync(next, file); }, where: file };
}

/** Rotation, file mode: a new key beside the current one (sealing starts with it). */
export function startRotation(dbFile: string): KeySource {
  const file = keyFileOf(dbFile);
  const next = `${file}.next`;
  if (!existsSync(next)) writeFileSync(next, `${newKeyText()}\n`, { mode: 0o600, flag: 'wx' });
  return loadSecretKeys(dbFile, {});
}
