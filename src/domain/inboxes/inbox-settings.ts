// The per-inbox settings keys each workflow area reads, validated when an admin writes them:
// a mistyped time zone or a negative target is a 400 naming the field, not a silent "24/7".
import { z, type ZodType } from 'zod';
import { botSettingsSchema } from '../service/bot.js';
import { businessHoursSchema } from '../workflow/business-hours.js';
import { csatSettingsSchema } from '../service/csat.js';
import { AppError } from '../core/errors.js';
import { followUpSettingsSchema } from '../workflow/follow-up.js';
import { slaSettingsSchema } from '../workflow/sla.js';

export const autoAssignSettingsSchema = z.object({
  enabled: z.boolean(),
  maxOpenPerAgent: z.number().int().min(1).max(10_000).nullable().optional(),
});

export const inboxSettingsSchemas: Record<string, ZodType> = {
  autoAssign: autoAssignSettingsSchema,
  businessHours: businessHoursSchema,
  sla: slaSettingsSchema,
  followUp: followUpSettingsSchema,
  csat: csatSettingsSchema,
  bot: botSettingsSchema,
};

/** Validates the known keys of a settings patch (null removes a key; unknown keys are kept as given). */
export function validateInboxSettings(patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    const schema = inboxSettingsSchemas[key];
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
