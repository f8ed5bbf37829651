// The blob store port: file bytes, addressed by their SHA-256, so the same screenshot sent twice
// is kept once. SQLite holds only the metadata (attachments: name, type, size, sha256, source,
// state). Web-standard types only (Uint8Array, ReadableStream): a folder on Node
// (src/runtime/fs-blob-store.ts), an R2 bucket on Workers, behind the same four calls.
export interface BlobStore {
  /** Stores the bytes under their sha256 (a no-op when already there); returns the key. */
  put(data: Uint8Array): Promise<{ sha256: string; size: number }>;
  /** The bytes, or null when nothing is stored under that key. */
  get(sha256: string): Promise<Uint8Array | null>;
  /** The bytes as a stream (for serving large files without holding them), or null. */
  stream(sha256: string): Promise<ReadableStream<Uint8Array> | null>;
  has(sha256: string): Promise<boolean>;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  let s = '';
  for (const b of d) s += b.toString(16).padStart(2, '0');
  return s;
}

export const isSha256 = (s: string) => /^[0-9a-f]{64}$/.test(s);

/** Keeps blobs in memory: for tools that need a store but keep no files (the CLI, micro benches). */
export function memoryBlobStore(): BlobStore {
  const m = new Map<string, Uint8Array>();
  return {
    async put(data) { const sha256 = await sha256Hex(data); if (!m.has(sha256)) m.set(sha256, data.slice()); return { sha256, size: data.byteLength }; },
    async get(k) { return m.get(k) ?? null; },
    async stream(k) { const d = m.get(k); return d ? new Blob([d as Uint8Array<ArrayBuffer>]).stream() : null; },
    async has(k) { return m.has(k); },
  };
}
