import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type OpenDatabase } from './db/runtime.js';
import { seedDemo } from './domain/seed.js';
import { ensureInitialAdminToken } from './domain/tokens.js';
import { fireDueTimers } from './engine/index.js';
import { startLoop, type Loop } from './engine/loop.js';
import { buildApp } from './http/app.js';
import { dispatcherSettings, runDispatcherPass } from './reminders/dispatcher.js';
import { createMailer, type Mailer } from './reminders/email.js';
import { resolveReminderPolicy } from './reminders/policy.js';
import { runSchedulerPass } from './reminders/scheduler.js';

export interface RunningService {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the database (embedded unless DATABASE_URL), migrates, seeds the demo
 * plan into an empty database, and serves the API with the timer loop
 * running. `close()` lets in-flight requests finish, stops the loop, then the
 * pool and the embedded server.
 */
export async function startService(config: Config, now: () => Date = () => new Date()): Promise<RunningService> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let database: OpenDatabase | undefined;
  let loops: Loop[] = [];
  let mailer: Mailer | undefined;
  let app: FastifyInstance | undefined;
  try {
    database = await openDatabase(config, say, {
      onPoolError: (err) => app?.log.warn({ code: (err as { code?: string }).code, message: err.message }, 'database connection lost'),
    });
    const { db } = database;
    if (config.SEED_DEMO) {
      const seeded = await seedDemo(db, now(), config.TZ_DEADLINES);
      if (seeded.seeded) {
        say(`demo data loaded: ${seeded.units} units, the 2020 Đắk Lắk plan approved with ${seeded.inspections} inspections`);
      }
    }
    const initialToken = config.BOOTSTRAP_ADMIN_TOKEN ? undefined : await ensureInitialAdminToken(db);
    app = await buildApp({ db, config, now }, { logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL } });
    const log = app.log;
    loops = [
      startLoop(
        async () => {
          const r = await fireDueTimers(db, now(), { log: (msg, err) => log.error({ err }, msg) });
          if (r.fired + r.stale + r.failed > 0) log.info(r, 'timers fired');
        },
        config.REMINDER_INTERVAL_MS,
        (err) => log.warn({ err }, 'timer pass failed; retrying'),
      ),
      startLoop(
        async () => {
          const r = await runSchedulerPass(db, {
            now: now(),
            timeZone: config.TZ_DEADLINES,
            sendTime: config.REMINDER_SEND_TIME,
            policy: resolveReminderPolicy(config.REMINDER_POLICY),
          });
          if (r.missed + r.cancelled + r.created > 0) log.info(r, 'reminders scheduled');
        },
        config.REMINDER_INTERVAL_MS,
        (err) => log.warn({ err }, 'reminder scheduler pass failed; retrying'),
      ),
    ];
    mailer = createMailer(config.SMTP_URL, config.SMTP_FROM);
    const settings = dispatcherSettings(config);
    const dispatch = { settings, mailer, log: (msg: string, err?: unknown) => log.warn({ err }, msg) };
    loops.push(
      startLoop(
        async () => {
          const r = await runDispatcherPass(db, now(), dispatch);
          if (r.notified + r.reminders.claimed + r.webhooks.delivered + r.webhooks.retried + r.webhooks.failed > 0) {
            log.info(r, 'notifications dispatched');
          }
        },
        config.REMINDER_INTERVAL_MS,
        (err) => log.warn({ err }, 'dispatcher pass failed; retrying'),
      ),
    );
    const address = await app.listen({ port: config.PORT, host: config.HOST });
    const url = address.replace('[::1]', 'localhost');
    say(`Kiểm tra CCHC is listening on ${url}`);
    say(`  database:  ${database.description}`);
    say(`  API docs:  ${url}/docs`);
    if (initialToken) {
      say(`  admin token (shown once, store it now): ${initialToken}`);
    } else {
      say(`  tokens:    ${config.BOOTSTRAP_ADMIN_TOKEN ? 'BOOTSTRAP_ADMIN_TOKEN is an admin token; ' : ''}create more with: npm run cli -- token create --role coordinator --name "…"`);
    }
    const opened = database;
    const started = app;
    return {
      app: started,
      url,
      async close() {
        await started.close();
        await Promise.all(loops.map((l) => l.stop()));
        mailer?.close();
        await opened.close();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await Promise.all(loops.map((l) => l.stop()));
    mailer?.close();
    await database?.close().catch(() => undefined);
    throw err;
  }
}
