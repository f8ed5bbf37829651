// FAQ articles (GET for everyone, writes for leads and admins) and the agent's suggestions
// for a conversation (FAQ articles and canned replies matching what the customer wrote).
import { createRoute, z } from '@hono/zod-openapi';
import { createFaq, deleteFaq, FAQ_LOCALES, getFaq, listFaq, suggestionsFor, updateFaq } from '../domain/service/faq.js';
import { router } from './env.js';
import { deleteRoute, readRoute } from './resource-routes.js';
import { errors, IdParam, jsonBody, jsonResponse, page, PageQuery } from './schemas.js';

const FaqSchema = z.object({
  id: z.string(), title: z.string(), body: z.string(), tags: z.array(z.string()), locale: z.enum(FAQ_LOCALES),
  createdAt: z.string(), updatedAt: z.string(), score: z.number().optional().openapi({ description: 'BM25 relevance (with ?q= or in suggestions); higher is better' }),
  confidence: z.number().optional().openapi({ description: 'How sure the ranking is that this article answers the question, 0..1 (the bot answers only above its threshold)' }),
}).openapi('FaqArticle');
const Title = z.string().trim().min(1).max(300).openapi({ example: '如何绑定银行卡' });
const Body = z.string().trim().min(1).max(20_000).openapi({ example: '打开“我的-银行卡”，点击“添加银行卡”。如果银行卡无法绑定，请确认预留手机号与银行一致。' });
const Tags = z.array(z.string().trim().min(1).max(50)).max(30).openapi({ example: ['银行卡', '绑定'] });

const SuggestionsSchema = z.object({
  articles: z.array(FaqSchema.extend({ matchedTerms: z.number(), matchedWords: z.array(z.string()) })),
  cannedResponses: z.array(z.object({ id: z.string(), shortCode: z.string(), content: z.string(), matchedTerms: z.number() })),
  similarConversations: z.array(z.object({ conversationId: z.string(), confidence: z.number(), question: z.string(), answer: z.string().nullable() }))
    .openapi({ description: 'Resolved conversations (in inboxes you see) whose customer asked something alike, with the agent\'s last reply' }),
}).openapi('Suggestions');

export const faqRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/faq-articles', tags: ['FAQ'], summary: 'FAQ articles, newest first; with ?q= ranked by relevance (Chinese and English)',
    request: { query: PageQuery.extend({ q: z.string().max(500).optional(), locale: z.enum(FAQ_LOCALES).optional() }) },
    responses: { 200: jsonResponse(page(FaqSchema), 'A page'), ...errors } }),
  async (c) => c.json(await listFaq(c.var.deps, c.req.valid('query')), 200));

  app.openapi(createRoute({ method: 'post', path: '/faq-articles', tags: ['FAQ'], summary: 'Create an article (lead, admin)',
    request: jsonBody(z.object({ title: Title, body: Body, tags: Tags.optional(), locale: z.enum(FAQ_LOCALES) })),
    responses: { 201: jsonResponse(FaqSchema, 'Created'), ...errors } }),
  async (c) => c.json(await createFaq(c.var.deps, c.var.actor, c.req.valid('json')), 201));

  app.openapi(createRoute({ method: 'get', path: '/faq-articles/{id}', tags: ['FAQ'], summary: 'One article',
    request: { params: IdParam }, responses: { 200: jsonResponse(FaqSchema, 'The article'), ...errors } }),
  async (c) => c.json(await getFaq(c.var.deps, c.req.valid('param').id), 200));

  app.openapi(createRoute({ method: 'patch', path: '/faq-articles/{id}', tags: ['FAQ'], summary: 'Change an article (lead, admin)',
    request: { params: IdParam, ...jsonBody(z.object({ title: Title.optional(), body: Body.optional(), tags: Tags.optional(), locale: z.enum(FAQ_LOCALES).optional() })) },
    responses: { 200: jsonResponse(FaqSchema, 'Updated'), ...errors } }),
  async (c) => c.json(await updateFaq(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));

  deleteRoute(app, { path: '/faq-articles/{id}', tag: 'FAQ', summary: 'Delete an article (lead, admin)', remove: deleteFaq });

  readRoute(app, { path: '/conversations/{id}/suggestions', tag: 'FAQ', summary: "FAQ articles and canned replies matching the customer's latest messages (BM25 over words)",
    schema: SuggestionsSchema, description: 'Suggestions, best first', read: suggestionsFor });
  return app;
};
