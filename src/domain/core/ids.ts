import { monotonicFactory } from 'ulidx';

// Random bits drawn from a pool filled by one getRandomValues call: the default drew once per
// character (16 calls per id), ~2% of a webhook's CPU. Same source (the platform's CSPRNG).
const pool = new Uint32Array(1024);
let next = pool.length;
function pooledRandom(): number {
  if (next === pool.length) { crypto.getRandomValues(pool); next = 0; }
  return pool[next++] / 4294967296;
}

// Monotonic so ids made in the same millisecond still sort in creation order (keyset paging).
export const newId: () => string = monotonicFactory(pooledRandom);
