import { defineConfig } from 'vitest/config';

/**
 * The fault suite (npm run test:faults): real service processes, a PostgreSQL
 * server each test starts, stops and starts again itself, a real webhook
 * receiver; loopback only. One file at a time: each one loads the machine.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
