import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp, type BuildOptions } from '../../src/http/app.js';
import { createToken } from '../../src/domain/tokens.js';
import type { Role } from '../../src/domain/access.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private current: Date = new Date('2020-07-01T03:00:00.000Z')) {}
  now = (): Date => new Date(this.current);
  set(iso: string | Date): void {
    this.current = new Date(iso);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestApp {
  app: FastifyInstance;
  t: TestDatabase;
  clock: TestClock;
  config: Config;
  /** Authorization header for a new token of `role`. */
  auth(role: Role, unitCode?: string): Promise<{ authorization: string }>;
  admin: { authorization: string };
  close(): Promise<void>;
}

/**
 * buildApp over a fresh migrated database of this file's own, with an injected
 * clock. The rate limits are out of the way unless `env` sets them (a suite
 * sends hundreds of requests, and bad tokens on purpose, from one address).
 */
export async function createTestApp(env: Record<string, string> = {}, options: BuildOptions = {}): Promise<TestApp> {
  const t = await createTestDatabase();
  const clock = new TestClock();
  const config = loadConfig({
    BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '0',
    AUTH_FAILURE_LIMIT: '1000000',
    ...env,
  });
  const app = await buildApp({ db: t.db, config, now: clock.now }, options);
  await app.ready();
  return {
    app,
    t,
    clock,
    config,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
    async auth(role, unitCode) {
      const { token } = await createToken(t.db, { role, name: `${role} ${unitCode ?? ''}`.trim(), unitCode: unitCode ?? null });
      return { authorization: `Bearer ${token}` };
    },
    async close() {
      await app.close();
      await t.drop();
    },
  };
}
