// The blob store on Node: one file per blob under <data folder>/files/ab/cd/<sha256>. A new
// blob is written to a temporary name and renamed into place, so a reader never sees half a
// file and two writers of the same bytes both end with the one complete file.
import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { isSha256, sha256Hex, type BlobStore } from '../domain/media/blobs.js';

export function fsBlobStore(root: string): BlobStore & { root: string; pathOf(sha256: string): string } {
  const pathOf = (k: string) => {
    if (!isSha256(k)) throw new Error('not a sha256 key');
    return join(root, k.slice(0, 2), k.slice(2, 4), k);
  };
  const exists = (p: string) => access(p).then(() => true, () => false);
  return {
    root,
    pathOf,
    async put(data) {
      const sha256 = await sha256Hex(data);
      const path = pathOf(sha256);
      if (await exists(path)) return { sha256, size: data.byteLength };
      await mkdir(join(root, sha256.slice(0, 2), sha256.slice(2, 4)), { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, data);
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return { sha256, size: data.byteLength };
    },
    async get(k) {
      if (!isSha256(k)) return null;
      try { return new Uint8Array(await readFile(pathOf(k))); } catch { return null; }
    },
    async stream(k) {
      if (!isSha256(k) || !(await exists(pathOf(k)))) return null;
      return Readable.toWeb(createReadStream(pathOf(k))) as ReadableStream<Uint8Array>;
    },
    has: async (k) => isSha256(k) && exists(pathOf(k)),
  };
}
