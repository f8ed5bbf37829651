// A value a test file (or describe block) sets up once: made in beforeAll, taken down in
// afterAll (vitest runs after-hooks in reverse, so later fixtures go first), and read through a
// proxy so the test uses it as if it were the value: `p.api.get(...)`, `fake.requests`. It
// replaces the `let x; beforeAll(x = await ...); afterAll(x.close())` triple every suite wrote.
import { afterAll, beforeAll } from 'vitest';

type Stoppable = { stop?: () => unknown; close?: () => unknown };

/**
 * `make` runs in beforeAll (it may read fixtures declared before it); `takeDown` in afterAll,
 * by default the value's own `stop()` or else `close()`. `makeTimeoutMs` is beforeAll's timeout,
 * for what takes longer to start than the config's hookTimeout (a Worker under workerd).
 */
export function fixture<T extends object>(make: () => T | Promise<T>, takeDown?: (value: T) => unknown, makeTimeoutMs?: number): T {
  let value: T | undefined;
  beforeAll(async () => { value = await make(); }, makeTimeoutMs);
  afterAll(async () => {
    const v = value as (T & Stoppable) | undefined;
    value = undefined;
    if (!v) return;
    if (takeDown) await takeDown(v);
    else if (typeof v.stop === 'function') await v.stop();
    else if (typeof v.close === 'function') await v.close();
  });
  const current = (prop: PropertyKey): T => {
    if (value === undefined) throw new Error(`fixture read outside its suite's hooks (.${String(prop)})`);
    return value;
  };
  return new Proxy({} as T, {
    get(_, prop) {
      // Not a promise: `await fixture` and vitest's thenable checks see a plain object.
      if (prop === 'then' && value === undefined) return undefined;
      const v = current(prop);
      const member = Reflect.get(v, prop, v) as unknown;
      return typeof member === 'function' ? member.bind(v) : member;
    },
    set(_, prop, next) { return Reflect.set(current(prop), prop, next); },
    has(_, prop) { return prop in current(prop); },
    ownKeys() { return Reflect.ownKeys(current('ownKeys')); },
    getOwnPropertyDescriptor(_, prop) {
      const d = Reflect.getOwnPropertyDescriptor(current(prop), prop);
      return d && { ...d, configurable: true };
    },
  });
}
