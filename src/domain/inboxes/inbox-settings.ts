// The per-inbox settings keys each workflow area reads, validated when an admin writes them:
// a mistyped time zone or a negative target is a 400 naming the field, not a silent "24/7".
import type { ZodType } from 'zod';
import { AppError } from '../core/errors.js';

// Each area registers the key it owns next to its schema (bot.ts registers `bot`, sla.ts
// `sla`, ...), so this file names none of them and the areas may read inboxes freely.
const inboxSettingsSchemas = new Map<string, ZodType>();

export function registerInboxSettings(key: string, schema: ZodType): void {
  inboxSettingsSchemas.set(key, schema);
}

/** The keys some area has registered (each is validated on write). */
export const registeredInboxSettings = (): string[] => [...inboxSettingsSchemas.keys()];

/** Validates the known keys of a settings patch (null removes a key; unknown keys are kept as given). */
export function validateInboxSettings(patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    const schema = inboxSettingsSchemas.get(key);
    if (!schema || value === null) continue;
    const r = schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = ['settings', key, ...(issue?.path ?? [])].join('.');
      throw new AppError(400, 'invalid_settings', `${field}: ${issue?.message ?? 'invalid'}`, { field });
    }
  }
}

/** Applies a settings patch: keys replaced, null deletes. */
export function mergeInboxSettings(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}
