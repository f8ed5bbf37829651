// The account's model settings (settings key 'assistant.model'): off by default; base URL,
// model name, API key sealed at rest (api-key-box.ts), timeout. The key is never returned by
// the API, only whether one is set.
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { AppError } from '../../core/errors.js';
import { openApiKey, sealApiKey } from './api-key-box.js';
import { refuseUrl } from './url-guard.js';

const KEY = 'assistant.model';
export const DEFAULT_TIMEOUT_MS = 15_000;

export const assistantInputSchema = z.object({
  enabled: z.boolean().optional(),
  baseUrl: z.string().trim().max(500).optional(),
  model: z.string().trim().min(1).max(200).optional(),
  /** A new key; null removes it; absent keeps the stored one. */
  apiKey: z.string().trim().min(1).max(500).nullable().optional(),
  timeoutMs: z.number().int().min(1000).max(120_000).optional(),
  /** Let the after-hours bot write its answers with the model (grounded in FAQ articles). */
  afterHours: z.boolean().optional(),
});
export type AssistantInput = z.infer<typeof assistantInputSchema>;

interface Stored { enabled: boolean; baseUrl: string; model: string; apiKeySealed: string | null; timeoutMs: number; afterHours: boolean }
export interface AssistantSettingsView { enabled: boolean; baseUrl: string; model: string; hasApiKey: boolean; timeoutMs: number; afterHours: boolean }
export interface AssistantConfig { enabled: boolean; baseUrl: string; model: string; apiKey: string | null; timeoutMs: number; afterHours: boolean }

const EMPTY: Stored = { enabled: false, baseUrl: '', model: '', apiKeySealed: null, timeoutMs: DEFAULT_TIMEOUT_MS, afterHours: false };

async function loadStored(deps: Deps): Promise<Stored> {
  const row = await deps.store.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [KEY]);
  return row ? { ...EMPTY, ...(JSON.parse(row.value) as Partial<Stored>) } : EMPTY;
}

const view = (s: Stored): AssistantSettingsView => ({ enabled: s.enabled, baseUrl: s.baseUrl, model: s.model, hasApiKey: s.apiKeySealed !== null, timeoutMs: s.timeoutMs, afterHours: s.afterHours });

export const getAssistantSettings = async (deps: Deps) => view(await loadStored(deps));

export async function updateAssistantSettings(deps: Deps, input: AssistantInput): Promise<AssistantSettingsView> {
  const cur = await loadStored(deps);
  const next: Stored = {
    enabled: input.enabled ?? cur.enabled,
    baseUrl: input.baseUrl ?? cur.baseUrl,
    model: input.model ?? cur.model,
    apiKeySealed: input.apiKey === undefined ? cur.apiKeySealed : input.apiKey === null ? null : await sealApiKey(deps, input.apiKey),
    timeoutMs: input.timeoutMs ?? cur.timeoutMs,
    afterHours: input.afterHours ?? cur.afterHours,
  };
  if (next.enabled) {
    if (!next.baseUrl) throw new AppError(400, 'invalid_request', 'baseUrl is needed to turn the assistant on', { field: 'baseUrl' });
    if (!next.model) throw new AppError(400, 'invalid_request', 'model is needed to turn the assistant on', { field: 'model' });
  }
  if (next.baseUrl) {
    const why = refuseUrl(next.baseUrl, Boolean(deps.allowPrivateNetwork));
    if (why) throw new AppError(400, 'invalid_request', why, { field: 'baseUrl' });
  }
  await deps.store.run('INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [KEY, JSON.stringify(next)]);
  return view(next);
}

/** The usable configuration (key opened), or null when the assistant is off or incomplete. */
export async function assistantConfig(deps: Deps): Promise<AssistantConfig | null> {
  const s = await loadStored(deps);
  if (!s.enabled || !s.baseUrl || !s.model) return null;
  let apiKey: string | null = null;
  if (s.apiKeySealed) {
    // Sealed under a key this server no longer has (PARLEY_SECRET_KEY changed): call without it, so the
    // provider's 401 lands in the call log and the admin re-enters the key.
    try { apiKey = await openApiKey(deps, s.apiKeySealed); } catch { deps.log.warn({}, 'assistant API key cannot be opened with the configured secret key'); }
  }
  return { enabled: true, baseUrl: s.baseUrl, model: s.model, apiKey, timeoutMs: s.timeoutMs, afterHours: s.afterHours };
}
