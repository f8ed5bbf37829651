// Injected everywhere time matters so schedules are tested without sleeping.
export interface Clock { now(): number }
export const systemClock: Clock = { now: () => Date.now() };

export function manualClock(start: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let t = start;
  return { now: () => t, set: (ms) => { t = ms; }, advance: (ms) => { t += ms; } };
}
