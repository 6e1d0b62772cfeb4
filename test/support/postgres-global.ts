// vitest global setup: a folder for this run's PostgreSQL cluster (started lazily by the first test that
// needs it, test/support/postgres.ts) and, at the end, the cluster stopped or the run's databases dropped.
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { dropTestDatabases, runFolder, stopCluster } from './postgres.js';

export default function setup(project: TestProject): () => Promise<void> {
  const dir = runFolder();
  const prefix = `yusuan_test_${Date.now().toString(36)}_${process.pid}`;
  project.provide('yusuanPostgres', { dir, prefix });
  return async () => {
    stopCluster(dir);
    rmSync(dir, { recursive: true, force: true });
    const external = process.env.YUSUAN_TEST_POSTGRES;
    if (external) await dropTestDatabases(external, prefix).catch((e) => console.warn(`test databases not dropped: ${String(e)}`));
  };
}
