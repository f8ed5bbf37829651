// Reports (leads and admins): summary over a date range as JSON or CSV.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from './env.js';
import { parseRange, reportSummary, summaryCsv } from '../domain/workflow/reports.js';
import { router } from './env.js';
import { errors, jsonResponse } from './schemas.js';

const Query = z.object({
  from: z.string().max(40).optional().openapi({ example: '2026-11-01', description: 'ISO date or date-time, inclusive (default: 7 days before to)' }),
  to: z.string().max(40).optional().openapi({ example: '2026-11-30', description: 'ISO date-time exclusive; a date alone includes that whole day (default: now)' }),
  inboxId: z.string().max(100).optional(),
  agentId: z.string().max(100).optional().openapi({ description: 'Current assignee' }),
  teamId: z.string().max(100).optional(),
});
const Pct = z.object({ median: z.number().nullable(), p90: z.number().nullable() });
const Figures = z.object({
  conversationsOpened: z.number(), conversationsResolved: z.number(), firstReplyMinutes: Pct, resolutionMinutes: Pct,
  slaBreaches: z.number(), csatAverage: z.number().nullable(), csatResponses: z.number(),
});
const Summary = Figures.extend({
  from: z.string(), to: z.string(), filters: z.object({ inboxId: z.string().nullable(), agentId: z.string().nullable(), teamId: z.string().nullable() }),
  byInbox: z.array(Figures.extend({ inboxId: z.string(), name: z.string().nullable(), channel: z.string().nullable() })),
  byAgent: z.array(Figures.extend({ agentId: z.string(), name: z.string().nullable() })),
}).openapi('ReportSummary');

async function build(c: Context<AppEnv>, q: z.infer<typeof Query>) {
  const range = parseRange(c.var.deps.clock.now(), q.from, q.to);
  return reportSummary(c.var.deps, c.var.actor, { ...range, inboxId: q.inboxId, agentId: q.agentId, teamId: q.teamId });
}

const csv = (c: Context<AppEnv>, body: string) => c.body(body, 200, {
  'content-type': 'text/csv; charset=utf-8',
  'content-disposition': 'attachment; filename="parley-summary.csv"',
});

export const reportRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/reports/summary', tags: ['Reports'], summary: 'Summary over a date range (leads, admins); Accept: text/csv for CSV',
    request: { query: Query }, responses: { 200: { description: 'The summary', content: { 'application/json': { schema: Summary }, 'text/csv': { schema: z.string() } } }, ...errors } }),
  async (c) => {
    const s = await build(c, c.req.valid('query'));
    const accept = c.req.header('accept') ?? '';
    if (/text\/csv/i.test(accept) && !/application\/json/i.test(accept)) return csv(c, summaryCsv(s));
    return c.json(s, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/reports/summary.csv', tags: ['Reports'], summary: 'The summary as CSV (total, per inbox, per agent rows)',
    request: { query: Query }, responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errors } }),
  async (c) => csv(c, summaryCsv(await build(c, c.req.valid('query')))));
  return app;
};
