// Small real files for media tests, built from the formats' own signatures (PNG and PDF are
// complete files in tests/fixtures/media; the others carry the header a sniffer reads).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileTypeFromBuffer } from 'file-type/core';

const dir = join(import.meta.dirname, '..', 'fixtures', 'media');
export const PNG = new Uint8Array(readFileSync(join(dir, 'screenshot.png')));
export const PDF = new Uint8Array(readFileSync(join(dir, 'statement.pdf')));

const pad = (head: number[] | Uint8Array, size = 64) => { const b = new Uint8Array(Math.max(size, head.length)); b.set(head); return b; };
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** JPEG: SOI + APP0 JFIF. */
export const JPEG = pad([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9], 2048);
/** WebP (sticker): RIFF....WEBPVP8 . */
export const WEBP = pad([...ascii('RIFF'), 0x24, 0, 0, 0, ...ascii('WEBPVP8 '), 0x18, 0, 0, 0], 64);
/** Ogg/Opus (voice note): OggS page with an OpusHead packet. */
export const OGG = pad([...ascii('OggS'), 0, 2, ...new Array(20).fill(0), 1, 19, ...ascii('OpusHead'), 1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0], 256);
/** MP4 (video): an ftyp box, isom brand. */
export const MP4 = pad([...u32be(24), ...ascii('ftypisom'), 0, 0, 2, 0, ...ascii('isomiso2')], 512);

/** Bytes of `size` repeating a real PNG header first (a large "image"). */
export function bigPng(size: number): Uint8Array {
  const b = new Uint8Array(size);
  b.set(PNG);
  return b;
}

export async function sniff(b: Uint8Array) { return (await fileTypeFromBuffer(b))?.mime; }

/** A stored attachment's bytes, read at its URL as the admin. */
export async function downloadedBytes(p: { adminToken: string; api: { raw(path: string, init: RequestInit): Promise<Response> } }, url: string) {
  return new Uint8Array(await (await p.api.raw(url, { headers: { authorization: `Bearer ${p.adminToken}` } })).arrayBuffer());
}
