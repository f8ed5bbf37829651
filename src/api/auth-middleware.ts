// /api/v1 needs an actor: the first resolver (API token, session cookie) that knows the request wins.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { errorBody } from './errors.js';
import type { Deps } from '../domain/deps.js';
import type { ActorResolver } from '../auth/actor-resolver.js';

export { bearerResolver, type ActorResolver } from '../auth/actor-resolver.js';

export function requireActor(deps: Deps, resolvers: ActorResolver[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    for (const resolve of resolvers) {
      const actor = await resolve(deps, c.req.raw);
      if (actor) {
        c.set('actor', actor);
        return next();
      }
    }
    return c.json(errorBody('unauthorized', 'Send a valid API token: Authorization: Bearer <token>'), 401);
  };
}
