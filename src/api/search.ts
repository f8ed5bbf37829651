// GET /search: messages (private notes included), conversations and contacts, ranked and
// scoped to what the caller may see.
import { createRoute, z } from '@hono/zod-openapi';
import { search } from '../domain/search/search.js';
import { router } from './env.js';
import { ConversationSchema, errors, jsonResponse } from './schemas.js';

const SearchMessage = z.object({
  id: z.string(), conversationId: z.string(), inboxId: z.string(), content: z.string(),
  snippet: z.string().openapi({ description: 'Text around the first match' }), createdAt: z.string(), direction: z.enum(['in', 'out']),
  private: z.boolean(), senderType: z.string(), channel: z.string(), contact: z.object({ id: z.string(), name: z.string().nullable() }),
});
const SearchContact = z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable(), attributes: z.record(z.string(), z.any()), createdAt: z.string().nullable() });

export const searchRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/search', tags: ['Search'], summary: 'Search messages, conversations and contacts (Chinese included)',
    request: { query: z.object({
      q: z.string().trim().min(1).max(200).openapi({ example: '银行卡' }),
      limit: z.coerce.number().int().min(1).max(50).default(10).openapi({ description: 'Per section (max 50)' }),
    }) },
    responses: { 200: jsonResponse(z.object({ messages: z.array(SearchMessage), conversations: z.array(ConversationSchema), contacts: z.array(SearchContact) }).openapi('SearchResult'), 'Best first'), ...errors } }),
  async (c) => {
    const { q, limit } = c.req.valid('query');
    return c.json(await search(c.var.deps, c.var.actor, q, limit), 200);
  });
  return app;
};
