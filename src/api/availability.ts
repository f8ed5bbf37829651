import { createRoute, z } from '@hono/zod-openapi';
import { userView } from '../auth/users.js';
import { AVAILABILITIES, setAvailability } from '../domain/workflow/availability.js';
import type { Actor } from '../domain/core/actor.js';
import type { Deps } from '../domain/deps.js';
import { router } from './env.js';
import { errors, IdParam, jsonBody, jsonResponse, UserSchema } from './schemas.js';

const Body = z.object({ availability: z.enum(AVAILABILITIES) }).openapi('AvailabilityInput');
const Result = UserSchema.extend({
  assigned: z.array(z.object({ conversationId: z.string(), assigneeId: z.string() })).openapi({ description: 'Conversations picked up by auto-assignment because of this change' }),
});

async function respond(deps: Deps, actor: Actor, userId: string, availability: (typeof AVAILABILITIES)[number]) {
  const { user, assigned } = await setAvailability(deps, actor, userId, availability);
  return { ...userView(user), assigned };
}

export const availabilityRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'post', path: '/me/availability', tags: ['Users'], summary: 'Set your availability (online agents receive auto-assigned conversations)',
    request: jsonBody(Body), responses: { 200: jsonResponse(Result, 'You, with any conversations picked up'), ...errors } }),
  async (c) => c.json(await respond(c.var.deps, c.var.actor, c.var.actor.id, c.req.valid('json').availability), 200));

  app.openapi(createRoute({ method: 'post', path: '/users/{id}/availability', tags: ['Users'], summary: "Set someone's availability (lead, admin)",
    request: { params: IdParam, ...jsonBody(Body) }, responses: { 200: jsonResponse(Result, 'The user, with any conversations picked up'), ...errors } }),
  async (c) => c.json(await respond(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json').availability), 200));
  return app;
};
