// The AI assistant: the account's model settings and call log (admin), and the four composer
// actions on a conversation (anyone who sees it). Actions return text; nothing is sent.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../domain/core/actor.js';
import { fixTone, suggestReply, summarize, translate } from '../domain/service/assistant/actions.js';
import { getAssistantSettings, updateAssistantSettings } from '../domain/service/assistant/settings.js';
import { router } from './env.js';
import { errors, IdParam, jsonBody, jsonResponse, page, PageQuery } from './schemas.js';
import { listModelCalls } from '../domain/service/assistant/call-log.js';

const Settings = z.object({ enabled: z.boolean(), baseUrl: z.string(), model: z.string(), hasApiKey: z.boolean(), timeoutMs: z.number(), afterHours: z.boolean() }).openapi('AssistantSettings');
const SettingsInput = z.object({
  enabled: z.boolean().optional(),
  baseUrl: z.string().trim().max(500).optional().openapi({ example: 'https://api.deepseek.com/v1', description: 'OpenAI-compatible API root (…/v1); /chat/completions is appended' }),
  model: z.string().trim().min(1).max(200).optional().openapi({ example: 'deepseek-chat' }),
  apiKey: z.string().trim().min(1).max(500).nullable().optional().openapi({ description: 'Stored encrypted; never returned. null removes it.' }),
  timeoutMs: z.number().int().min(1000).max(120_000).optional(),
  afterHours: z.boolean().optional().openapi({ description: 'Let the after-hours bot write grounded answers with the model' }),
});
const Output = z.object({
  text: z.string(), callId: z.string(),
  sources: z.array(z.object({ n: z.number(), type: z.enum(['faq', 'conversation']), id: z.string(), title: z.string(), link: z.string() })).optional(),
}).openapi('AssistantOutput');
const Call = z.object({
  id: z.string(), action: z.string(), conversationId: z.string().nullable(), userId: z.string().nullable(), model: z.string(),
  request: z.any().openapi({ description: 'The chat messages as sent (after masking)' }), response: z.string().nullable(),
  status: z.string(), error: z.string().nullable(), promptTokens: z.number().nullable(), completionTokens: z.number().nullable(), latencyMs: z.number(), createdAt: z.string(),
}).openapi('AssistantCall');

export const assistantRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/assistant/status', tags: ['Assistant'], summary: 'Whether the assistant is on (any signed-in user; the composer shows its buttons then)',
    responses: { 200: jsonResponse(z.object({ enabled: z.boolean(), afterHours: z.boolean() }), 'Status'), ...errors } }),
  async (c) => { const s = await getAssistantSettings(c.var.deps); return c.json({ enabled: s.enabled, afterHours: s.enabled && s.afterHours }, 200); });
  app.openapi(createRoute({ method: 'get', path: '/assistant/settings', tags: ['Assistant'], summary: 'The model settings (admin)', responses: { 200: jsonResponse(Settings, 'Settings'), ...errors } }),
  async (c) => { requireRole(c.var.actor, 'admin'); return c.json(await getAssistantSettings(c.var.deps), 200); });
  app.openapi(createRoute({ method: 'patch', path: '/assistant/settings', tags: ['Assistant'], summary: 'Change the model settings (admin)',
    request: jsonBody(SettingsInput), responses: { 200: jsonResponse(Settings, 'Saved'), ...errors } }),
  async (c) => { requireRole(c.var.actor, 'admin'); return c.json(await updateAssistantSettings(c.var.deps, c.req.valid('json')), 200); });

  app.openapi(createRoute({ method: 'get', path: '/assistant/calls', tags: ['Assistant'], summary: 'Every call to the model, newest first: what was sent, token counts, latency (admin)',
    request: { query: PageQuery }, responses: { 200: jsonResponse(page(Call), 'A page'), ...errors } }),
  async (c) => {
    requireRole(c.var.actor, 'admin');
    const { limit, cursor } = c.req.valid('query');
    return c.json(await listModelCalls(c.var.deps, limit, cursor), 200);
  });

  const action = (path: string, summary: string, body: z.ZodObject | null, fn: (c: any) => Promise<z.infer<typeof Output>>) =>
    app.openapi(createRoute({ method: 'post', path: `/conversations/{id}/assistant/${path}`, tags: ['Assistant'], summary,
      request: { params: IdParam, ...(body ? jsonBody(body) : {}) },
      responses: { 200: jsonResponse(Output, 'Text for the composer (not sent)'), 409: errors[400], 502: errors[400], 503: errors[400], ...errors } }),
    async (c) => c.json(await fn(c), 200));
  action('reply', 'Suggested reply grounded in the top FAQ articles and similar resolved conversations', null,
    (c) => suggestReply(c.var.deps, c.var.actor, c.req.valid('param').id));
  action('summary', 'Summary of the conversation for a hand-over', null, (c) => summarize(c.var.deps, c.var.actor, c.req.valid('param').id));
  action('translate', "Translate a customer's message (messageId) or the agent's draft (text); zh <-> en unless target is given",
    z.object({ messageId: z.string().max(100).optional(), text: z.string().max(8000).optional(), target: z.string().max(50).optional().openapi({ example: 'English' }) }),
    (c) => translate(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json')));
  action('tone', 'Rewrite a draft to be warm and professional, same facts', z.object({ draft: z.string().min(1).max(8000) }),
    (c) => fixTone(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json').draft));
  return app;
};
