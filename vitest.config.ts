import { defineConfig } from 'vitest/config';

// One root config over every workspace: packages, examples and bench all keep
// their tests under `test/` mirroring `src/`.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
