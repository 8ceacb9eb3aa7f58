import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,server,electron,renderer,scripts}/**/*.test.{ts,tsx}', 'test/{integration,chaos,property}/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep parallel PGlite instances and Chromium launches from starving each other.
    maxWorkers: 2,
  },
});
