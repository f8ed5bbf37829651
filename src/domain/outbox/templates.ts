// Approved message templates of a channel account (Connector.listTemplates), fetched
// through the connector and cached per inbox (bounded, one hour, refreshable), and a
// template rendered with its parameters into the text that is stored and shown.
import type { ChannelTemplate, OutboundTemplate } from '../../../connectors/types.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import { connectorFor } from '../inboxes/inbox-config.js';
import type { ConversationRow } from '../core/rows.js';

const TTL_MS = 60 * 60_000;
const MAX_INBOXES = 500;
const cache = new Map<string, { at: number; configText: string; templates: ChannelTemplate[] }>();

export async function inboxTemplates(deps: Deps, inboxId: string, opts: { refresh?: boolean } = {}): Promise<{ templates: ChannelTemplate[]; fetchedAt: number }> {
  const inbox = await deps.store.get<{ channel: string; config: string }>('SELECT channel, config FROM inboxes WHERE id = ?', [inboxId]);
  if (!inbox) throw new AppError(404, 'not_found', 'Inbox not found');
  const connector = deps.connectors.get(inbox.channel);
  if (!connector?.listTemplates) throw new AppError(422, 'templates_unsupported', 'This channel has no message templates');
  const now = deps.clock.now();
  const hit = cache.get(inboxId);
  if (!opts.refresh && hit && hit.configText === inbox.config && now - hit.at < TTL_MS) return { templates: hit.templates, fetchedAt: hit.at };
  let templates: ChannelTemplate[];
  try {
    templates = await connector.listTemplates((await connectorFor(deps, inbox))!.config);
  } catch (err) {
    throw new AppError(502, 'templates_unavailable', `The platform did not list the templates: ${(err as Error).message}`);
  }
  cache.delete(inboxId);
  if (cache.size >= MAX_INBOXES) cache.delete(cache.keys().next().value!);
  cache.set(inboxId, { at: now, configText: inbox.config, templates });
  return { templates, fetchedAt: now };
}

/** {{n}} -> the n-th parameter, one pass over the body. */
export function fillTemplate(body: string, parameters: string[]): string {
  return body.replace(/\{\{(\d{1,3})\}\}/g, (all, n: string) => parameters[Number(n) - 1] ?? all);
}

/** What the agent gives for a template: body values, the header's value, dynamic button values by index. */
export interface TemplateInput { name: string; language?: string; parameters?: string[]; header?: string; buttons?: { index: number; value: string }[] }

const bad = (message: string, field: string) => new AppError(400, 'invalid_template_parameters', message, { field });

/** The file types a media header takes (Meta: JPEG/PNG images, MP4/3GPP video, PDF documents). */
const HEADER_FILE: Record<string, RegExp> = { image: /^image\/(jpeg|png)$/, video: /^video\/(mp4|3gpp)$/, document: /^application\/pdf$/ };

function headerValue(t: ChannelTemplate, given: string | undefined, file: HeaderFile | undefined): OutboundTemplate['header'] {
  const h = t.header;
  const value = given?.trim() ?? '';
  if (file) {
    if (!h || h.format === 'text') throw bad(`Template "${t.name}" takes no file: only a media header does`, 'files');
    if (value) throw bad('Give the header either a link or a file, not both', 'template.header');
    if (!HEADER_FILE[h.format].test(file.contentType)) throw bad(`The header's ${h.format} cannot be ${file.contentType || 'a file of unknown type'} ("${file.filename}")`, 'files');
    return { format: h.format, filename: file.filename };
  }
  if (!h || (h.format === 'text' && !h.parameters)) {
    if (value) throw bad(`Template "${t.name}" has no header parameter`, 'template.header');
    return undefined;
  }
  if (!value) throw bad(h.format === 'text' ? `Template "${t.name}" needs the header's {{1}} text` : `Template "${t.name}" needs a link to the header's ${h.format}`, 'template.header');
  if (h.format === 'text') return { format: 'text', text: value };
  let url: URL | null = null;
  try { url = new URL(value); } catch { /* refused below */ }
  if (!url || !/^https?:$/.test(url.protocol)) throw bad(`The header's ${h.format} must be an http(s) link`, 'template.header');
  return { format: h.format, link: url.href };
}

function buttonValues(t: ChannelTemplate, given: { index: number; value: string }[]): OutboundTemplate['buttons'] {
  const byIndex = new Map(given.map((b) => [b.index, b.value.trim()]));
  const out: NonNullable<OutboundTemplate['buttons']> = [];
  for (const b of t.buttons ?? []) {
    const value = byIndex.get(b.index) ?? '';
    byIndex.delete(b.index);
    if (b.parameter === 'suffix' && !value) throw bad(`Button ${b.index + 1} ("${b.text}") of template "${t.name}" needs the URL's {{1}} part`, 'template.buttons');
    if (!b.parameter && value) throw bad(`Button ${b.index + 1} ("${b.text}") of template "${t.name}" takes no parameter`, 'template.buttons');
    if (value && b.parameter) out.push({ index: b.index, type: b.parameter === 'suffix' ? 'url' : 'quick_reply', value });
  }
  if (byIndex.size) throw bad(`Template "${t.name}" has no button ${[...byIndex.keys()][0] + 1}`, 'template.buttons');
  return out.length ? out : undefined;
}

/** The text the agent sees stored: header, body, footer and the button labels, as the customer sees them. */
export function templateText(t: ChannelTemplate, v: OutboundTemplate): string {
  const header = !t.header ? null : v.header?.format === 'text' ? fillTemplate(t.header.text ?? '', [v.header.text]) : t.header.format === 'text' ? t.header.text : `[${t.header.format}]`;
  const buttons = (t.buttons ?? []).map((b) => `[${b.text}]`).join(' ');
  return [header, fillTemplate(t.body, v.parameters), t.footer, buttons].filter((x) => x).join('\n');
}

/** The file sent with a template: its media header. */
export interface HeaderFile { filename: string; contentType: string }

export async function renderTemplate(deps: Deps, conv: Pick<ConversationRow, 'inbox_id'>, input: TemplateInput, files: HeaderFile[] = []): Promise<{ text: string; template: OutboundTemplate }> {
  const { templates } = await inboxTemplates(deps, conv.inbox_id);
  const t = templates.find((x) => x.name === input.name && (!input.language || x.language === input.language));
  if (!t) throw new AppError(422, 'unknown_template', `No approved template "${input.name}"${input.language ? ` in ${input.language}` : ''} on this account`);
  const parameters = (input.parameters ?? []).map((p) => String(p).trim());
  if (parameters.length !== t.parameters || parameters.some((p) => !p)) {
    throw bad(`Template "${t.name}" takes ${t.parameters} non-empty parameter${t.parameters === 1 ? '' : 's'}`, 'template.parameters');
  }
  if (files.length > 1) throw bad('A template takes at most one file (its media header)', 'files');
  const header = headerValue(t, input.header, files[0]);
  const buttons = buttonValues(t, input.buttons ?? []);
  const template: OutboundTemplate = { name: t.name, language: t.language, parameters, ...(header ? { header } : {}), ...(buttons ? { buttons } : {}) };
  return { text: templateText(t, template), template };
}
