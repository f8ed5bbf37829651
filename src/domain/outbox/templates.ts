// Approved message templates of a channel account (Connector.listTemplates), fetched
// through the connector and cached per inbox (bounded, one hour, refreshable), and a
// template rendered with its parameters into the text that is stored and shown.
import type { ChannelKind, ChannelTemplate, OutboundTemplate } from '../../../connectors/types.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import { connectorFor } from '../inboxes/inbox-config.js';
import type { Row } from '../core/store.js';

const TTL_MS = 60 * 60_000;
const MAX_INBOXES = 500;
const cache = new Map<string, { at: number; configText: string; templates: ChannelTemplate[] }>();

export async function inboxTemplates(deps: Deps, inboxId: string, opts: { refresh?: boolean } = {}): Promise<{ templates: ChannelTemplate[]; fetchedAt: number }> {
  const inbox = await deps.store.get<{ channel: string; config: string }>('SELECT channel, config FROM inboxes WHERE id = ?', [inboxId]);
  if (!inbox) throw new AppError(404, 'not_found', 'Inbox not found');
  const connector = deps.connectors.get(inbox.channel as ChannelKind);
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

export async function renderTemplate(deps: Deps, conv: Row, input: OutboundTemplate): Promise<{ text: string; template: OutboundTemplate }> {
  const { templates } = await inboxTemplates(deps, conv.inbox_id as string);
  const t = templates.find((x) => x.name === input.name && (!input.language || x.language === input.language));
  if (!t) throw new AppError(422, 'unknown_template', `No approved template "${input.name}"${input.language ? ` in ${input.language}` : ''} on this account`);
  const parameters = (input.parameters ?? []).map((p) => String(p).trim());
  if (parameters.length !== t.parameters || parameters.some((p) => !p)) {
    throw new AppError(400, 'invalid_template_parameters', `Template "${t.name}" takes ${t.parameters} non-empty parameter${t.parameters === 1 ? '' : 's'}`, { field: 'template.parameters' });
  }
  return { text: fillTemplate(t.body, parameters), template: { name: t.name, language: t.language, parameters } };
}
