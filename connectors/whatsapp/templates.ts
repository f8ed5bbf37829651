// WhatsApp message templates: what each approved template needs (read from the Graph
// `components` of GET /{waba}/message_templates) and the `components` array a send carries
// (Meta: "Send template messages": header text/image/document/video, body text, and one
// `button` component per dynamic button with its sub_type and index).
import { graphRequest } from '../meta/graph.js';
import { PermanentError, type OutboundFile, type ChannelTemplate, type OutboundTemplate, type TemplateButton, type TemplateHeader } from '../types.js';
import { uploadMedia } from './media-upload.js';
import { sendMessage } from './send-message.js';
import { waTemplateList, type WaTemplateComponent } from './wire.js';
import type { WhatsappConfig } from './index.js';

type GraphTemplate = ReturnType<typeof waTemplateList.parse>['data'][number];

const MAX_TEMPLATE_PAGES = 10;
const placeholders = (text: string) => new Set([...text.matchAll(/\{\{(\d{1,3})\}\}/g)].map((x) => x[1])).size;
const HEADER_FORMATS = new Set(['TEXT', 'IMAGE', 'DOCUMENT', 'VIDEO']);
const BUTTON_TYPES: Record<string, TemplateButton['type']> = { QUICK_REPLY: 'quick_reply', URL: 'url', PHONE_NUMBER: 'phone_number' };

/**
 * One listed template -> what the composer must ask for, or null when Parley cannot fill it
 * (no text body, a location header, or a button kind such as copy-code or flow).
 */
export function templateNeeds(t: GraphTemplate): ChannelTemplate | null {
  const of = (type: string) => t.components.find((x) => x.type.toUpperCase() === type);
  const body = of('BODY')?.text;
  if (!body) return null;
  const h = of('HEADER');
  let header: TemplateHeader | null = null;
  if (h) {
    const format = (h.format ?? 'TEXT').toUpperCase();
    if (!HEADER_FORMATS.has(format)) return null;
    header = format === 'TEXT'
      ? { format: 'text', text: h.text ?? '', parameters: placeholders(h.text ?? '') }
      : { format: format.toLowerCase() as TemplateHeader['format'], text: null, parameters: 1 };
  }
  const buttons: TemplateButton[] = [];
  for (const [index, b] of (of('BUTTONS')?.buttons ?? []).entries()) {
    const type = BUTTON_TYPES[b.type.toUpperCase()];
    if (!type) return null;
    const url = b.url ?? null;
    buttons.push({ index, type, text: b.text, url, parameter: type === 'quick_reply' ? 'payload' : type === 'url' && url && placeholders(url) ? 'suffix' : null });
  }
  return { name: t.name, language: t.language, category: t.category ?? null, body, parameters: placeholders(body), header, footer: of('FOOTER')?.text ?? null, buttons };
}

/** The account's APPROVED templates Parley can fill (GET /{waba}/message_templates, paged). */
export async function listTemplates(c: WhatsappConfig): Promise<ChannelTemplate[]> {
  if (!c.wabaId) throw new PermanentError('Set wabaId (the WhatsApp Business Account id) on the inbox to list its templates');
  const out: ChannelTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_TEMPLATE_PAGES; page++) {
    const data = await graphRequest({
      baseUrl: c.apiBaseUrl, method: 'GET', path: `/${c.apiVersion}/${c.wabaId}/message_templates`, token: c.accessToken, timeoutMs: 10_000,
      query: { fields: 'name,language,status,category,components', status: 'APPROVED', limit: '100', ...(after ? { after } : {}) },
    });
    const list = waTemplateList.parse(data);
    for (const t of list.data) {
      const needs = t.status === 'APPROVED' ? templateNeeds(t) : null;
      if (needs) out.push(needs);
    }
    after = list.paging?.next ? list.paging.cursors?.after : undefined;
    if (!after) break;
  }
  return out;
}

/** The document's file name WhatsApp shows: the link's last path segment. */
const fileNameOf = (link: string) => decodeURIComponent(new URL(link).pathname.split('/').pop() || '') || 'document';

/** The send's `components`, in Meta's documented shape; omitted parts are not sent. A media header without a link is the uploaded file `mediaId`. */
export function templateComponents(t: OutboundTemplate, mediaId?: string): WaTemplateComponent[] {
  const out: WaTemplateComponent[] = [];
  if (t.header?.format === 'text') out.push({ type: 'header', parameters: [{ type: 'text', text: t.header.text }] });
  else if (t.header) {
    const ref = t.header.link ? { link: t.header.link } : { id: mediaId };
    const media = t.header.format === 'document' ? { ...ref, filename: t.header.filename ?? fileNameOf(t.header.link!) } : ref;
    out.push({ type: 'header', parameters: [{ type: t.header.format, [t.header.format]: media }] });
  }
  if (t.parameters.length) out.push({ type: 'body', parameters: t.parameters.map((text) => ({ type: 'text' as const, text })) });
  for (const b of t.buttons ?? []) {
    out.push({ type: 'button', sub_type: b.type, index: String(b.index), parameters: [b.type === 'quick_reply' ? { type: 'payload', payload: b.value } : { type: 'text', text: b.value }] });
  }
  return out;
}

export async function sendTemplate(c: WhatsappConfig, to: string, t: OutboundTemplate, files: OutboundFile[]) {
  let mediaId: string | undefined;
  if (t.header && t.header.format !== 'text' && !t.header.link) {
    if (!files[0]) throw new PermanentError("The template's media header has neither a link nor a file");
    mediaId = await uploadMedia(c, files[0]);
  }
  const components = templateComponents(t, mediaId);
  return sendMessage(c, to, { type: 'template', template: { name: t.name, language: { code: t.language }, ...(components.length ? { components } : {}) } });
}
