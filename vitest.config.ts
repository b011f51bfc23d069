import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Real servers, real sockets: the idle-timeout test alone holds a socket for 65 s.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores: more workers only make the timing-sensitive tests flaky.
    maxWorkers: 2,
  },
});
