// Bearer API tokens on /api/v1 (the web app's session cookie is accepted by sessions.ts).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { errorBody } from './errors.js';
import type { Actor } from '../domain/core/actor.js';
import type { Deps } from '../domain/core/deps.js';
import { actorForToken } from '../auth/users.js';

export type ActorResolver = (deps: Deps, req: Request) => Promise<Actor | null>;

export const bearerResolver: ActorResolver = async (deps, req) => {
  const h = req.headers.get('authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? actorForToken(deps, m[1]) : null;
};

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
