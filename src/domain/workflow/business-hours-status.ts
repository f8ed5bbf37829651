// An inbox's business-hours status, for the admin checking a schedule: settings are stored as
// given and an unreadable schedule silently counts as 24/7, so this says whether it parses.
import type { Actor } from '../core/actor.js';
import type { Deps } from '../deps.js';
import { getVisibleInboxRow, inboxSettings } from '../inboxes/inboxes.js';
import { businessHoursSchema, calendarFromSettings } from './business-hours.js';

export interface BusinessHoursStatus { configured: boolean; valid: boolean; error: string | null; openNow: boolean }

export async function businessHoursStatus(deps: Deps, actor: Actor, inboxId: string): Promise<BusinessHoursStatus> {
  await getVisibleInboxRow(deps, actor, inboxId);
  const settings = await inboxSettings(deps, inboxId);
  const configured = settings.businessHours != null;
  const parsed = businessHoursSchema.safeParse(settings.businessHours);
  const issue = parsed.success ? null : parsed.error.issues[0];
  return {
    configured, valid: configured && parsed.success,
    error: configured && issue ? `businessHours.${issue.path.join('.')}: ${issue.message}` : null,
    openNow: calendarFromSettings(settings).isOpen(deps.clock.now()),
  };
}
