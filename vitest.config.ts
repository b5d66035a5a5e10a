import { defineConfig } from 'vitest/config';

// Two projects: unit tests (`*.test.ts`, beside the code, no servers) and integration tests
// (`*.int.test.ts`, against the real local stack that the global setup checks first).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{libs,services,load-tests,terraform,infra,test}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{libs,services,load-tests,infra,test}/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['./libs/test-support/src/global-setup.ts'],
          setupFiles: ['./libs/test-support/src/test-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Integration tests share one broker and one Redis on a 2-core machine; running files
          // one at a time keeps timings sane. Each test still uses its own topics and key prefix.
          fileParallelism: false,
        },
      },
    ],
  },
});
