// views.ts formats timestamps arithmetically (performance); it must give exactly what
// Date#toISOString gives, including the edges where it falls back to Date.
import { describe, expect, it } from 'vitest';
import { isoString } from '../src/domain/core/views.js';

describe('isoString', () => {
  it('matches Date#toISOString on edges and on 200,000 pseudo-random times', () => {
    const edges = [0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 951_868_800_000, 4_107_542_400_000,
      253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001, 1.5, 8.64e15];
    let x = 0x9e3779b9;
    const rand = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 2 ** 32; };
    const times = [...edges, ...Array.from({ length: 200_000 }, () => Math.floor(rand() * 253_402_300_800_000))];
    const diffs = times.filter((t) => isoString(t) !== new Date(t).toISOString());
    expect(diffs).toEqual([]);
  });
  it('throws like Date on an invalid time', () => {
    expect(() => isoString(Number.NaN)).toThrow(RangeError);
  });
});
