// Inboxes: one per channel account. The channel's connector validates the config; secrets
// are stored but never returned.
import type { ZodError } from 'zod';
import { randomToken } from '../core/crypto.js';
import { requireRole, type Actor, canSeeAll, canSeeInbox } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { mergeInboxSettings, validateInboxSettings } from './inbox-settings.js';
import { raw, type Stmt } from '../core/store.js';
import { insertEvents, publishStored, type EventDraft } from '../events/emit.js';
import { openInboxConfig, sealInboxConfig } from './inbox-config.js';
import { progressView, readProgress } from '../ingest/import-progress.js';
import type { InboxRow } from '../core/rows.js';
import { jsonObject } from '../core/json-text.js';

export interface InboxInput { name: string; channel: string; config: unknown; settings?: Record<string, unknown> }

export function configError(err: ZodError, prefix = 'config'): AppError {
  const issue = err.issues[0];
  const field = [prefix, ...(issue?.path ?? [])].join('.');
  return new AppError(400, 'invalid_config', `${field}: ${issue?.message ?? 'invalid'}`, { field, issues: err.issues.map((i) => ({ field: [prefix, ...i.path].join('.'), message: i.message })) });
}

export async function createInbox(deps: Deps, actor: Actor, input: InboxInput) {
  requireRole(actor, 'admin');
  // The registry is the list of channels: a kind it does not hold is unknown, built in or not.
  const connector = deps.connectors.get(input.channel);
  if (!connector) {
    throw new AppError(400, 'unknown_channel', `channel must be one of ${[...deps.connectors.keys()].join(', ')}`, { field: 'channel' });
  }
  const parsed = connector.config.safeParse(input.config ?? {});
  if (!parsed.success) throw configError(parsed.error);
  if (input.settings) validateInboxSettings(input.settings);
  const id = newId();
  const now = deps.clock.now();
  const webchatToken = connector.info.publicWidget ? randomToken(18) : null;
  await deps.store.atomically([raw(
    'INSERT INTO inboxes(id, name, channel, config, webchat_token, settings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    id, input.name, input.channel, await sealInboxConfig(deps, input.channel, parsed.data as Record<string, unknown>), webchatToken, JSON.stringify(input.settings ?? {}), now)]);
  deps.wakePoller?.(id);
  return inboxView(deps, (await deps.store.get<InboxRow>('SELECT * FROM inboxes WHERE id = ?', [id]))!);
}

/** Rename, change credentials (validated again) or merge settings (per-area keys). */
export async function updateInbox(deps: Deps, actor: Actor, id: string, input: { name?: string; config?: Record<string, unknown>; settings?: Record<string, unknown> }) {
  requireRole(actor, 'admin');
  const row = await getInboxRow(deps, id);
  const connector = deps.connectors.get(row.channel);
  const current = await openInboxConfig(deps, row);
  let config = current;
  if (input.config) {
    requireSecretsForNewDestination(current, input.config, connector?.secretFields ?? []);
    // Secrets come back redacted; keep the stored value where the client echoed the placeholder.
    const merged = restoreRedacted({ ...current, ...input.config }, current);
    const parsed = connector!.config.safeParse(merged);
    if (!parsed.success) throw configError(parsed.error);
    config = parsed.data as Record<string, unknown>;
  }
  if (input.settings) validateInboxSettings(input.settings);
  const settings = mergeInboxSettings(jsonObject(row.settings), input.settings ?? {});
  await deps.store.run("UPDATE inboxes SET name = ?, config = ?, settings = ?, health = CASE WHEN ? THEN 'ok' ELSE health END, next_poll_at = CASE WHEN ? THEN NULL ELSE next_poll_at END, poll_failures = CASE WHEN ? THEN 0 ELSE poll_failures END WHERE id = ?",
    [input.name ?? row.name, config === current ? row.config : await sealInboxConfig(deps, row.channel, config), JSON.stringify(settings), input.config ? 1 : 0, input.config ? 1 : 0, input.config ? 1 : 0, id]);
  if (input.config) deps.wakePoller?.(id);
  return inboxView(deps, await getInboxRow(deps, id));
}

/** Where each secret is sent: a stored secret is only kept while its destination stays the same. */
const DESTINATIONS: { path: string; secrets: (fields: string[]) => string[] }[] = [
  // An email inbox's mail API key goes to apiBaseUrl too.
  { path: 'apiBaseUrl', secrets: (f) => f.filter((p) => !p.includes('.') || p.startsWith('mailApi.')) },
  { path: 'imap.host', secrets: (f) => f.filter((p) => p.startsWith('imap.')) },
  { path: 'smtp.host', secrets: (f) => f.filter((p) => p.startsWith('smtp.')) },
];

const at = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/**
 * A PATCH that points the config somewhere new (another API root, IMAP or SMTP server) must
 * carry the secrets that go there: otherwise whoever can edit the config could send the stored
 * secret to a server of his own. Omitted or "[redacted]" secrets: 400 naming them.
 */
function requireSecretsForNewDestination(current: Record<string, unknown>, patch: Record<string, unknown>, secretFields: string[]) {
  const next = { ...current, ...patch };
  const missing = new Set<string>();
  for (const d of DESTINATIONS) {
    const before = at(current, d.path);
    const after = at(next, d.path);
    if ((before ?? null) === (after ?? null)) continue;
    for (const secret of d.secrets(secretFields)) {
      if (at(current, secret) == null) continue; // nothing stored that could leak
      const given = at(patch, secret);
      if (typeof given !== 'string' || given === REDACTED) missing.add(`config.${secret}`);
    }
  }
  if (missing.size) {
    const fields = [...missing];
    throw new AppError(400, 'secrets_required', `Changing where this inbox connects sends its secrets there: send ${fields.join(', ')} again`, { field: fields[0], fields });
  }
}

function restoreRedacted(next: Record<string, unknown>, prev: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    if (v === REDACTED) out[k] = prev[k];
    else if (v && typeof v === 'object' && !Array.isArray(v) && prev[k] && typeof prev[k] === 'object') out[k] = restoreRedacted(v as Record<string, unknown>, prev[k] as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/** An inbox's settings object (per-area keys such as autoAssign, businessHours, sla). */
export async function inboxSettings(deps: Deps, inboxId: string): Promise<Record<string, unknown>> {
  const row = await deps.store.get<{ settings: string }>('SELECT settings FROM inboxes WHERE id = ?', [inboxId]);
  return row ? jsonObject(row.settings) : {};
}

export async function listInboxes(deps: Deps, actor: Actor) {
  const rows = canSeeAll(actor)
    ? await deps.store.all<InboxRow>('SELECT * FROM inboxes ORDER BY created_at, id')
    : await deps.store.all<InboxRow>('SELECT i.* FROM inboxes i JOIN inbox_members m ON m.inbox_id = i.id WHERE m.user_id = ? ORDER BY i.created_at, i.id', [actor.id]);
  return rows.map((r) => inboxView(deps, r));
}

/** The inbox's channel and (sealed) config, or undefined: webhooks answer 404 for an unknown id. */
export function findInbox(deps: Pick<Deps, 'store'>, id: string): Promise<{ id: string; channel: string; config: string } | undefined> {
  return deps.store.get('SELECT id, channel, config FROM inboxes WHERE id = ?', [id]);
}

export async function getInboxRow(deps: Deps, id: string): Promise<InboxRow> {
  const row = await deps.store.get<InboxRow>('SELECT * FROM inboxes WHERE id = ?', [id]);
  if (!row) throw notFound('Inbox');
  return row;
}

/** The inbox, for someone who may see it: 404 alike for an inbox that is gone and one the actor is no member of. */
export async function getVisibleInboxRow(deps: Deps, actor: Actor, id: string): Promise<InboxRow> {
  if (!(await canSeeInbox(deps, actor, id))) throw notFound('Inbox');
  return getInboxRow(deps, id);
}

export async function addInboxMembers(deps: Deps, actor: Actor, inboxId: string, userIds: string[]) {
  requireRole(actor, 'admin');
  await getInboxRow(deps, inboxId);
  const unique = [...new Set(userIds)];
  const found = await deps.store.all<{ id: string }>('SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(unique)]);
  const missing = unique.filter((u) => !found.some((f) => f.id === u));
  if (missing.length) throw new AppError(422, 'unknown_user', `No user with id ${missing.join(', ')}`, { field: 'userIds' });
  await membersChanged(deps, inboxId, unique, 'added', unique.map((u) => raw('INSERT INTO inbox_members(inbox_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING', inboxId, u)));
  return listInboxMembers(deps, inboxId);
}

/**
 * The membership write and its `inbox.members_changed` event, in one unit. Open live streams of
 * those users reload their inboxes when they hear it (from inside their own request on
 * Workers, where a timer may not do I/O), so a new member sees the inbox without reconnecting.
 */
async function membersChanged(deps: Deps, inboxId: string, userIds: string[], change: 'added' | 'removed', writes: Stmt[]) {
  const now = deps.clock.now();
  const drafts: EventDraft[] = [{ type: 'inbox.members_changed', inboxId, payload: { inboxId, userIds, change } }];
  const results = await deps.store.atomically([...writes, insertEvents(drafts, now)]);
  publishStored(deps, drafts, results[results.length - 1], now);
}

export async function removeInboxMember(deps: Deps, actor: Actor, inboxId: string, userId: string) {
  requireRole(actor, 'admin');
  await membersChanged(deps, inboxId, [userId], 'removed', [raw('DELETE FROM inbox_members WHERE inbox_id = ? AND user_id = ?', inboxId, userId)]);
  return listInboxMembers(deps, inboxId);
}

export async function listInboxMembers(deps: Deps, inboxId: string) {
  const rows = await deps.store.all<{ user_id: string }>('SELECT user_id FROM inbox_members WHERE inbox_id = ? ORDER BY user_id', [inboxId]);
  return { inboxId, userIds: rows.map((r) => r.user_id) };
}

const REDACTED = '[redacted]';

function redact(config: Record<string, unknown>, paths: string[]): Record<string, unknown> {
  const copy = structuredClone(config);
  for (const p of paths) {
    const keys = p.split('.');
    let o: Record<string, unknown> | undefined = copy;
    for (const k of keys.slice(0, -1)) o = (o?.[k] as Record<string, unknown> | undefined);
    const last = keys[keys.length - 1];
    if (o && o[last] != null) o[last] = REDACTED;
  }
  return copy;
}

export function inboxView(deps: Deps, r: InboxRow) {
  const connector = deps.connectors.get(r.channel);
  // A stored config that no longer parses (hand-edited, older version) still lists the inbox,
  // with its health saying what is wrong, rather than failing the whole list.
  let config: Record<string, unknown> = {};
  try { config = jsonObject(r.config); } catch { /* shown as {} */ }
  const hasWebhook = Boolean(connector?.parse || connector?.handshake);
  return {
    id: r.id,
    name: r.name,
    channel: r.channel,
    config: redact(config, connector?.secretFields ?? []),
    settings: jsonObject(r.settings),
    ...(hasWebhook ? { webhookUrl: `${deps.publicUrl}/webhooks/${r.id}` } : {}),
    ...(r.webchat_token ? {
      webchatToken: r.webchat_token,
      widgetSnippet: `<script src="${deps.publicUrl}/widget.js" data-token="${r.webchat_token}" async></script>`,
    } : {}),
    health: r.health,
    healthError: r.health_error,
    ...(r.import_progress != null ? { import: progressView(readProgress(r), deps.clock.now()) } : {}),
    createdAt: new Date(r.created_at).toISOString(),
  };
}
