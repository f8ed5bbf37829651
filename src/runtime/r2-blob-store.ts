// The blob store on Workers: one R2 object per blob, keyed like the folder on Node
// (ab/cd/<sha256>). Content-addressed, so a put of bytes already there writes nothing.
import { isSha256, sha256Hex, type BlobStore } from '../domain/media/blobs.js';

/** The part of an R2 bucket binding this store calls (workers-types' R2Bucket fits it). */
export interface R2BucketLike {
  head(key: string): Promise<unknown | null>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; body: ReadableStream<Uint8Array> } | null>;
  put(key: string, value: Uint8Array): Promise<unknown>;
}

const keyOf = (k: string) => `${k.slice(0, 2)}/${k.slice(2, 4)}/${k}`;

export function r2BlobStore(bucket: R2BucketLike): BlobStore {
  return {
    async put(data) {
      const sha256 = await sha256Hex(data);
      if (!(await bucket.head(keyOf(sha256)))) await bucket.put(keyOf(sha256), data);
      return { sha256, size: data.byteLength };
    },
    async get(k) {
      if (!isSha256(k)) return null;
      const o = await bucket.get(keyOf(k));
      return o ? new Uint8Array(await o.arrayBuffer()) : null;
    },
    async stream(k) {
      if (!isSha256(k)) return null;
      return (await bucket.get(keyOf(k)))?.body ?? null;
    },
    has: async (k) => isSha256(k) && (await bucket.head(keyOf(k))) !== null,
  };
}
