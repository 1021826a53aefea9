import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@sotto/crypto': pkg('crypto'),
      '@sotto/protocol': pkg('protocol'),
      '@sotto/server': pkg('server'),
      '@sotto/client': pkg('client'),
      '@sotto/cli': pkg('cli'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // The JSON report lets .ci/run print the plain 'N passed, N failed' closing line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
