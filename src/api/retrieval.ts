// The account's synonym list for FAQ ranking: read by anyone signed in, replaced or reset to
// the payments defaults by an admin. Changes apply to the next question (no re-indexing).
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../domain/core/actor.js';
import { DEFAULT_SYNONYMS, loadSynonyms, saveSynonyms } from '../domain/service/retrieval/synonyms.js';
import { router } from './env.js';
import { errors, jsonBody, jsonResponse } from './schemas.js';

// The same limits as the domain's synonymsSchema, declared with the OpenAPI-aware zod.
const Groups = z.array(z.array(z.string().trim().min(1).max(60)).min(2).max(40)).max(300);
const Synonyms = z.object({
  groups: Groups.openapi({ description: 'Groups of words meaning the same thing (2-40 words each, at most 300 groups)', example: [['扣款', '扣钱', '被扣', 'deducted'], ['top up', 'add money', '充值']] }),
  isDefault: z.boolean(),
}).openapi('Synonyms');

export const retrievalRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/retrieval/synonyms', tags: ['FAQ'], summary: 'The synonym groups FAQ ranking expands questions with',
    responses: { 200: jsonResponse(Synonyms, 'The list'), ...errors } }),
  async (c) => {
    const groups = await loadSynonyms(c.var.deps);
    return c.json({ groups, isDefault: groups === DEFAULT_SYNONYMS }, 200);
  });
  app.openapi(createRoute({ method: 'put', path: '/retrieval/synonyms', tags: ['FAQ'], summary: 'Replace the synonym list (admin)',
    request: jsonBody(z.object({ groups: Groups })), responses: { 200: jsonResponse(Synonyms, 'Saved'), ...errors } }),
  async (c) => {
    requireRole(c.var.actor, 'admin');
    const groups = await saveSynonyms(c.var.deps, c.req.valid('json').groups);
    return c.json({ groups, isDefault: false }, 200);
  });
  app.openapi(createRoute({ method: 'delete', path: '/retrieval/synonyms', tags: ['FAQ'], summary: 'Back to the default payments list (admin)',
    responses: { 200: jsonResponse(Synonyms, 'The defaults'), ...errors } }),
  async (c) => {
    requireRole(c.var.actor, 'admin');
    const groups = await saveSynonyms(c.var.deps, null);
    return c.json({ groups, isDefault: true }, 200);
  });
  return app;
};
