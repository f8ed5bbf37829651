// multipart/form-data messages (content, private, files): the form schema both message routes
// document, and the form -> domain input step (files read into bytes, counted and capped).
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../domain/core/errors.js';
import type { UploadFile } from '../domain/media/outgoing-files.js';

export const MAX_FILES_PER_MESSAGE = 10;
/** One multipart message (all its files together). */
export const MAX_UPLOAD_BODY_BYTES = 60 * 1048576;

export const MessageForm = z.object({
  content: z.string().max(65_536).optional(),
  private: z.enum(['true', 'false', '1', '0', 'on']).optional(),
  files: z.any().optional().openapi({ type: 'array', items: { type: 'string', format: 'binary' }, description: 'One or more files (repeat the field)' }),
  clientMessageId: z.string().max(100).optional(),
});

export type FormInput = z.infer<typeof MessageForm>;

export const isMultipart = (c: Context) => (c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');

export async function postInputFromForm(form: FormInput): Promise<{ content: string; private: boolean; files: UploadFile[]; clientMessageId?: string }> {
  const raw = form.files == null ? [] : Array.isArray(form.files) ? form.files : [form.files];
  if (raw.length > MAX_FILES_PER_MESSAGE) throw new AppError(422, 'too_many_files', `At most ${MAX_FILES_PER_MESSAGE} files per message; ${raw.length} were attached`);
  const files: UploadFile[] = [];
  for (const f of raw) {
    if (!(f instanceof File)) throw new AppError(400, 'invalid_request', 'files must be file parts (Content-Disposition with a filename)');
    files.push({ filename: f.name, contentType: f.type, data: new Uint8Array(await f.arrayBuffer()) });
  }
  return { content: form.content ?? '', private: form.private === 'true' || form.private === '1' || form.private === 'on', files, clientMessageId: form.clientMessageId };
}
