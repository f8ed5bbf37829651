// PARLEY_SSE_* (README) -> the live streams' caps. Unset or unreadable values keep the default.
import type { LiveLimits } from '../domain/events/live.js';

export function liveLimitsFromEnv(env: Record<string, string | undefined> = process.env): Partial<LiveLimits> {
  const read = (name: string) => {
    const n = Number(env[name]);
    return env[name] && Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const limits: Partial<LiveLimits> = {
    maxQueue: read('PARLEY_SSE_MAX_QUEUE'),
    perUser: read('PARLEY_SSE_PER_USER'),
    perVisitor: read('PARLEY_SSE_PER_VISITOR'),
    perAddress: read('PARLEY_SSE_PER_ADDRESS'),
  };
  for (const k of Object.keys(limits) as (keyof LiveLimits)[]) if (limits[k] === undefined) delete limits[k];
  return limits;
}
