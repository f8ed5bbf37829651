// GET /api/v1/attachments/:id — the bytes of a stored attachment, for agents who may see its
// conversation. Served so that it can never run as a page of this origin: only plain images,
// PDFs and text show inline; everything else downloads; nosniff and a sandboxing CSP always.
import { createRoute, z } from '@hono/zod-openapi';
import { getVisibleAttachment, type AttachmentFile } from '../domain/media/attachments.js';
import type { Module } from './modules.js';
import { router } from './env.js';
import { errors } from './schemas.js';

const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']);

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'attachment';
  const utf8 = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

// Audio and video play inline too (the web app's players); their bytes were sniffed on arrival.
const PLAYABLE = /^(audio|video)\/[a-z0-9.+-]+$/;

/** The bytes of a file, served so they can never run as a page of this origin. */
export function fileResponse(file: AttachmentFile, forceDownload: boolean, cache = 'private, max-age=300'): Response {
  if (!file.data) return new Response(null, { status: 302, headers: { location: file.url! } });
  const type = file.contentType.toLowerCase().split(';')[0].trim();
  const inline = (INLINE.has(type) || PLAYABLE.test(type)) && !forceDownload;
  const headers: Record<string, string> = {
    'content-type': inline ? (type === 'text/plain' ? 'text/plain; charset=utf-8' : type) : 'application/octet-stream',
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', file.filename),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': cache,
  };
  if (file.data instanceof Uint8Array) headers['content-length'] = String(file.data.byteLength);
  else headers['content-length'] = String(file.size);
  return new Response(file.data as BodyInit, { status: 200, headers });
}

export const attachmentRoutes = () => {
  const app = router();
  app.openapi(createRoute({
    method: 'get', path: '/attachments/{id}', tags: ['Messages'], summary: 'Download an attachment',
    description: 'The file of an attachment listed on a message (`attachments[].id`). 404 unless the caller may see its conversation. `?download=1` forces a download.',
    request: { params: z.object({ id: z.string().min(1).max(100) }), query: z.object({ download: z.enum(['0', '1']).optional() }) },
    responses: { 200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errors },
  }), async (c) => {
    const file = await getVisibleAttachment(c.var.deps, c.var.actor, c.req.valid('param').id);
    return fileResponse(file, c.req.valid('query').download === '1');
  });
  return app;
};

export const attachmentsModule: Module = { name: 'attachments', api: attachmentRoutes };
