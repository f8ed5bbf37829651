// Password hashing with scrypt (node:crypto; available on Workers with nodejs_compat).
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { Bounded } from './bounded.js';

const N = 16384, R = 8, P = 1, KEYLEN = 64;

/**
 * Every scrypt in this process goes through this bound: 2 at a time (libuv's pool has 4
 * threads, shared with DNS and file I/O), 32 waiting; more is answered 503 with Retry-After.
 */
export const hashing = new Bounded(2, 32);

function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  return hashing.run(() => new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFKC'), salt, KEYLEN, { N, r: R, p: P }, (err, key) => (err ? reject(err) : resolve(key)));
  }));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const [alg, , , , salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
