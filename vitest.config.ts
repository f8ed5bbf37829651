import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Test files start real servers on ephemeral ports; two cores, so keep the pool small.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Fakes listen on loopback: let outgoing calls (media downloads, callbacks) reach them.
    env: { PARLEY_ALLOW_PRIVATE_NETWORK: '1' },
  },
});
