// GET /api/v1/channels: the registered connectors, for the web app's forms and badges, the
// sandbox and API clients (any signed-in user: it holds no secrets).
import { createRoute, z } from '@hono/zod-openapi';
import type { Registry } from '../../connectors/types.js';
import { listChannels } from '../domain/inboxes/channels.js';
import { router } from './env.js';
import { errors, jsonResponse } from './schemas.js';

const ChannelSchema = z.object({
  kind: z.string().openapi({ example: 'messenger' }),
  label: z.string().openapi({ example: 'Facebook Messenger' }),
  badge: z.string().openapi({ example: 'FB' }),
  color: z.string().openapi({ example: '#0866ff' }),
  configSchema: z.record(z.string(), z.any()).nullable().openapi({ description: 'JSON Schema of the inbox config (POST /api/v1/inboxes `config`)' }),
  configTemplate: z.record(z.string(), z.any()).openapi({ description: 'A starting config for the admin form' }),
  secretFields: z.array(z.string()).openapi({ description: 'Config keys never returned by the API' }),
  receives: z.object({ webhook: z.boolean(), polling: z.boolean(), publicWidget: z.boolean() }),
  limits: z.object({
    replyWindowHours: z.number().optional(),
    taggedReply: z.object({ hours: z.number(), tag: z.string() }).optional(),
    templatesOutsideWindow: z.boolean().optional(),
    maxTextLength: z.number().optional(),
    attachments: z.boolean(),
    media: z.record(z.string(), z.any()).optional().openapi({ description: 'Inbound download limit; outbound file count, types and sizes' }),
  }),
  sandbox: z.boolean().openapi({ description: '`npm run demo` runs this channel against its fake platform' }),
}).openapi('Channel');

export const channelRoutes = (registry: Registry) => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/channels', tags: ['Channels'], summary: 'The channels this server can open inboxes on',
    responses: { 200: jsonResponse(z.object({ data: z.array(ChannelSchema) }), 'One entry per registered connector'), ...errors } }),
  (c) => c.json({ data: listChannels(registry) }, 200));
  return app;
};
