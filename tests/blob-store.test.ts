// The blob store port on Node: files on disk under the data folder, content-addressed (the same
// bytes are one file), SQLite holding only the metadata; and the checks every file passes.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/domain/media/blobs.js';
import { ingest } from '../src/domain/ingest/ingest.js';
import { checkAndStore, safeFileName } from '../src/domain/media/media.js';
import { fsBlobStore } from '../src/runtime/fs-blob-store.js';
import { JPEG, OGG, PDF, PNG } from './helpers/media.js';
import { directInbox, startTestParley, type TestParley } from './helpers/parley.js';

let p: TestParley;
beforeAll(async () => { p = await startTestParley(); });
afterAll(async () => { await p.stop(); });

const filesUnder = (root: string): string[] => (existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name)) : []);

describe('blob store on disk', () => {
  it('stores a file under its sha256 in the data folder; the same bytes twice are one file', async () => {
    const blobs = fsBlobStore(join(p.dir, 'blob-unit'));
    const a = await blobs.put(PNG);
    const b = await blobs.put(PNG.slice());
    expect(a).toEqual({ sha256: await sha256Hex(PNG), size: PNG.byteLength });
    expect(b.sha256).toBe(a.sha256);
    const files = filesUnder(join(p.dir, 'blob-unit'));
    expect(files).toEqual([join(p.dir, 'blob-unit', a.sha256.slice(0, 2), a.sha256.slice(2, 4), a.sha256)]);
    expect(new Uint8Array(readFileSync(files[0]))).toEqual(PNG);
    expect(await blobs.get(a.sha256)).toEqual(PNG);
    const streamed = new Uint8Array(await new Response(await blobs.stream(a.sha256)).arrayBuffer());
    expect(streamed).toEqual(PNG);
    expect(await blobs.has('0'.repeat(64))).toBe(false);
    expect(await blobs.get('../../etc/passwd')).toBeNull();
  });

  it('files of incoming messages go to disk next to the database, SQLite keeps name, type, size, sha256, source and state', async () => {
    const inbox = await directInbox(p, 'Blob inbox');
    const ev = (id: string) => ({
      kind: 'message' as const, externalId: id, threadKey: 'blob-visitor', sender: { externalId: 'blob-visitor' }, text: 'see attached', sentAt: Date.now(),
      attachments: [{ filename: 'shot.png', contentType: 'image/png', size: PNG.byteLength, data: PNG }],
    });
    await ingest(p.deps, inbox, [ev('b-1')]);
    await ingest(p.deps, inbox, [ev('b-2')]); // the same screenshot again
    const rows = await p.store.all<any>("SELECT a.filename, a.content_type, a.size, a.sha256, a.source, a.state, a.data FROM attachments a WHERE a.inbox_id = ?", [inbox.id]);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r).toMatchObject({ filename: 'shot.png', content_type: 'image/png', size: PNG.byteLength, sha256: await sha256Hex(PNG), source: 'webchat', state: 'ready', data: null });
    const stored = filesUnder(join(p.dir, 'files'));
    expect(stored.filter((f) => f.endsWith(rows[0].sha256))).toHaveLength(1);
    expect(statSync(stored.find((f) => f.endsWith(rows[0].sha256))!).size).toBe(PNG.byteLength);
  });

  it('rows from before the blob store (bytes in the data column) still download', async () => {
    const inbox = await directInbox(p, 'Legacy inbox');
    await ingest(p.deps, inbox, [{ kind: 'message', externalId: 'legacy-1', threadKey: 'legacy', sender: { externalId: 'legacy' }, text: 'old', sentAt: Date.now(), attachments: [] }]);
    const m = await p.store.get<{ id: string }>("SELECT id FROM messages WHERE external_id = 'legacy-1'");
    await p.store.run("INSERT INTO attachments(id, message_id, inbox_id, filename, content_type, size, data, created_at) VALUES ('01LEGACYATT', ?, ?, 'old.pdf', 'application/pdf', ?, ?, 0)", [m!.id, inbox.id, PDF.byteLength, Buffer.from(PDF)]);
    const res = await p.api.raw('/api/v1/attachments/01LEGACYATT', { headers: { authorization: `Bearer ${p.adminToken}` } });
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PDF);
  });
});

describe('file checks', () => {
  const blobs = () => fsBlobStore(join(p.dir, 'checks'));
  it('the type comes from the bytes, not from the sender', async () => {
    const f = await checkAndStore(blobs(), { data: JPEG, filename: 'photo', declaredType: 'application/octet-stream', maxBytes: 1e6 });
    expect(f).toMatchObject({ state: 'ready', contentType: 'image/jpeg', filename: 'photo.jpg', kind: 'image' });
    const v = await checkAndStore(blobs(), { data: OGG, filename: 'voice.oga', declaredType: 'audio/ogg', maxBytes: 1e6, kind: 'voice' });
    expect(v).toMatchObject({ state: 'ready', contentType: 'audio/ogg', kind: 'voice' });
  });
  it('a file whose bytes are not what its type says is refused, saying so', async () => {
    const html = new TextEncoder().encode('<html><script>alert(1)</script></html>');
    const f = await checkAndStore(blobs(), { data: html, filename: 'cat.png', declaredType: 'image/png', maxBytes: 1e6 });
    expect(f).toMatchObject({ state: 'refused', sha256: null, error: 'the file says it is image/png, but its content is not a recognisable file type' });
  });
  it('oversized and empty files are refused with the reason', async () => {
    expect(await checkAndStore(blobs(), { data: PNG, filename: 'a.png', maxBytes: 50 })).toMatchObject({ state: 'refused', error: expect.stringMatching(/over this inbox's limit of 0 MB|over this inbox's limit/) });
    expect(await checkAndStore(blobs(), { data: new Uint8Array(0), filename: 'empty.txt', maxBytes: 50 })).toMatchObject({ state: 'refused', error: 'the file is empty' });
  });
  it('file names lose paths and control characters', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\..\\boot.ini')).toBe('boot.ini');
    expect(safeFileName('a\u0000b\r\n.pdf')).toBe('a_b__.pdf');
    expect(safeFileName('...')).toBe('file');
    expect(safeFileName('', 'png')).toBe('file.png');
    expect(safeFileName('x'.repeat(300) + '.pdf')).toHaveLength(150);
  });
});
