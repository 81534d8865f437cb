import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/domain/tokens.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const run = promisify(execFile);
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

function cli(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' },
  });
}

describe('npm run cli', () => {
  it('migrate, seed and token create work against DATABASE_URL', async () => {
    expect((await cli(['migrate'])).stdout).toContain('database is up to date');
    expect((await cli(['seed'])).stdout).toMatch(/loaded 97 units and plan/);
    expect((await cli(['seed'])).stdout).toContain('nothing loaded');
    const { stdout } = await cli(['token', 'create', '--role', 'unit', '--unit', 'SYT', '--name', 'Sở Y tế']);
    const token = stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^kt_[\w-]{43}$/);
    expect(await authenticate(t.db, token, new Date())).toMatchObject({ role: 'unit', unitCode: 'SYT', name: 'Sở Y tế' });
  });

  it('refuses bad arguments with exit code 2 and a message', async () => {
    const err = await cli(['token', 'create', '--role', 'wizard', '--name', 'x']).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/--role must be one of/);
    const unknownUnit = await cli(['token', 'create', '--role', 'unit', '--unit', 'NOPE', '--name', 'x']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((unknownUnit as { stderr: string }).stderr).toMatch(/unknown unit NOPE/);
  });
});
