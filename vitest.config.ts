import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    // Tests talk to fakes on loopback (media downloads, callbacks); tests/ssrf.test.ts unsets this and sees the refusals.
    env: { PARLEY_ALLOW_PRIVATE_NETWORK: '1' },
    hookTimeout: 60_000,
    // Test files start real servers on ephemeral ports; two cores, so keep the pool small.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
