// GET /inboxes/:id/business-hours: is the inbox open now, and does its businessHours setting
// parse? (PATCH /inboxes/:id stores settings as given; an unreadable schedule counts as 24/7.)
import { z } from '@hono/zod-openapi';
import { businessHoursStatus } from '../domain/workflow/business-hours-status.js';
import { router } from './env.js';
import { readRoute } from './resource-routes.js';

const Status = z.object({
  configured: z.boolean().openapi({ description: 'settings.businessHours is present' }),
  valid: z.boolean().openapi({ description: 'it parses; otherwise the inbox is treated as open 24/7' }),
  error: z.string().nullable().openapi({ description: 'what is wrong with it, field first' }),
  openNow: z.boolean(),
}).openapi('BusinessHoursStatus');

export const businessHoursRoutes = () => {
  const app = router();
  readRoute(app, { path: '/inboxes/{id}/business-hours', tag: 'Inboxes', summary: 'Whether the inbox is open now and its schedule is valid',
    schema: Status, description: 'Status', read: businessHoursStatus });
  return app;
};
