import { defineConfig } from 'vitest/config';

// Corpus tests ingest whole real documents; on a loaded 2-core machine one of them can take longer than
// vitest's 5 s default without anything being wrong. Speed is measured by bench/, never by test timeouts.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // a folder for the run's PostgreSQL test cluster, stopped at the end (test/support/postgres.ts)
    globalSetup: ['test/support/postgres-global.ts'],
  },
});
