// How a request proves who it is: an API token (here) or the web app's session cookie
// (sessions.ts). The api's middleware tries each resolver in turn.
import type { Actor } from '../domain/core/actor.js';
import type { Deps } from '../domain/deps.js';
import { actorForToken } from './users.js';

export type ActorResolver = (deps: Deps, req: Request) => Promise<Actor | null>;

export const bearerResolver: ActorResolver = async (deps, req) => {
  const h = req.headers.get('authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? actorForToken(deps, m[1]) : null;
};
