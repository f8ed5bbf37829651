// GET /inboxes/:id/business-hours: is the inbox open now, and does its businessHours setting
// parse? (PATCH /inboxes/:id stores settings as given; an unreadable schedule counts as 24/7.)
import { createRoute, z } from '@hono/zod-openapi';
import { canSeeInbox } from '../domain/core/actor.js';
import { businessHoursSchema, calendarFromSettings } from '../domain/workflow/business-hours.js';
import { notFound } from '../domain/core/errors.js';
import { getInboxRow, inboxSettings } from '../domain/inboxes/inboxes.js';
import { router } from './env.js';
import { errors, IdParam, jsonResponse } from './schemas.js';

const Status = z.object({
  configured: z.boolean().openapi({ description: 'settings.businessHours is present' }),
  valid: z.boolean().openapi({ description: 'it parses; otherwise the inbox is treated as open 24/7' }),
  error: z.string().nullable().openapi({ description: 'what is wrong with it, field first' }),
  openNow: z.boolean(),
}).openapi('BusinessHoursStatus');

export const businessHoursRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/inboxes/{id}/business-hours', tags: ['Inboxes'], summary: 'Whether the inbox is open now and its schedule is valid',
    request: { params: IdParam }, responses: { 200: jsonResponse(Status, 'Status'), ...errors } }),
  async (c) => {
    const { id } = c.req.valid('param');
    const deps = c.var.deps;
    if (!(await canSeeInbox(deps, c.var.actor, id))) throw notFound('Inbox');
    await getInboxRow(deps, id); // 404 for an inbox that is gone
    const settings = await inboxSettings(deps, id);
    const configured = settings.businessHours != null;
    const parsed = businessHoursSchema.safeParse(settings.businessHours);
    const issue = parsed.success ? null : parsed.error.issues[0];
    return c.json({
      configured, valid: configured && parsed.success,
      error: configured && issue ? `businessHours.${issue.path.join('.')}: ${issue.message}` : null,
      openNow: calendarFromSettings(settings).isOpen(deps.clock.now()),
    }, 200);
  });
  return app;
};
