import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDb, dropDatabase, ensureDatabase, withDatabase } from '../src/db/connect.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { freePort } from './support/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

let server: EmbeddedServer | undefined;
let dataDir: string | undefined;
let adminUrl = '';
let template = '';

/**
 * One PostgreSQL server for the whole run (embedded, or TEST_DATABASE_URL),
 * and one template database built by the real migrator; every test file
 * clones the template into a database of its own.
 */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    adminUrl = external;
  } else {
    dataDir = await mkdtemp(path.join(tmpdir(), 'kiemtra-test-'));
    // PostgreSQL runs as the `postgres` system user when the tests run as root.
    await chmod(dataDir, 0o755);
    server = await startEmbeddedPostgres({ dir: path.join(dataDir, 'pg'), port: await freePort() });
    adminUrl = server.adminUrl;
  }
  template = `kiemtra_template_${process.pid}`;
  await dropDatabase(adminUrl, template);
  await ensureDatabase(adminUrl, template);
  const db = createDb(withDatabase(adminUrl, template), { max: 1 });
  try {
    await migrateToLatest(db as never);
  } finally {
    await db.destroy();
  }
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);
}

export async function teardown(): Promise<void> {
  if (adminUrl && template) await dropDatabase(adminUrl, template).catch(() => undefined);
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
