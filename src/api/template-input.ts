// The `template` of a reply, as JSON or as a multipart field (JSON text next to the header's file).
import { z } from '@hono/zod-openapi';
import { AppError } from '../domain/core/errors.js';
import type { TemplateInput } from '../domain/outbox/templates.js';

export const TemplateBody = z.object({
  name: z.string().min(1).max(512), language: z.string().min(1).max(20), parameters: z.array(z.string().max(1024)).max(20).default([]),
  header: z.string().max(2048).optional().openapi({ description: "The header's value when the template has one to fill: its {{1}} text, or an http(s) link to the image, document or video it shows (or send the file itself as multipart `files`)" }),
  buttons: z.array(z.object({ index: z.number().int().min(0).max(9), value: z.string().max(2000) })).max(10).optional()
    .openapi({ description: 'Values of the dynamic buttons, by the button\'s index: a quick reply\'s payload (optional), a URL button\'s {{1}} suffix (required)' }),
});

/** The multipart `template` field: JSON text of the same shape. */
export function templateFromField(text: string | undefined): TemplateInput | undefined {
  if (text === undefined || text === '') return undefined;
  let json: unknown;
  try { json = JSON.parse(text); } catch { throw new AppError(400, 'invalid_request', 'template must be JSON {name, language, parameters, header?, buttons?}', { field: 'template' }); }
  const parsed = TemplateBody.safeParse(json);
  if (!parsed.success) throw new AppError(400, 'invalid_request', `template: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, { field: 'template' });
  return parsed.data;
}
