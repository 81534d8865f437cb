import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/server.js';
import { TestClock } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { freePort } from '../support/ports.js';

/**
 * The dashboard's browser tests: the real service (startService: listening on
 * 127.0.0.1, the demo seed, the timer, reminder and notification loops) over
 * a test database with an injected clock, driven by Debian's Chromium through
 * playwright-core (never a downloaded browser).
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ADMIN = 'e2e-dashboard-admin-token-0123456789';
export const ARTIFACTS = path.resolve('test-results/dashboard');

export interface Served {
  service: RunningService;
  t: TestDatabase;
  clock: TestClock;
  base: string;
  close(): Promise<void>;
}

export async function serve(): Promise<Served> {
  const t = await createTestDatabase();
  const clock = new TestClock(new Date('2020-07-01T02:00:00.000Z'));
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: t.url,
    HOST: '127.0.0.1',
    PORT: String(port),
    BOOTSTRAP_ADMIN_TOKEN: ADMIN,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
    REMINDER_INTERVAL_MS: '200',
    STREAM_POLL_MS: '100',
    RATE_LIMIT_MAX: '0',
    WEBHOOK_MAX_ATTEMPTS: '1',
    WEBHOOK_TIMEOUT_MS: '500',
  });
  const quiet = process.stdout.write.bind(process.stdout);
  // startService prints its banner; keep the test output clean.
  process.stdout.write = (() => true) as typeof process.stdout.write;
  let service: RunningService;
  try {
    service = await startService(config, clock.now);
  } finally {
    process.stdout.write = quiet;
  }
  return {
    service,
    t,
    clock,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await service.close();
      await t.drop();
    },
  };
}

/** playwright-core gives every launch a fresh temporary --user-data-dir of its own (and refuses one passed in args). */
export async function launch(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return browser;
}

/** Console errors and uncaught page errors of every page of a context, for the test to assert none. */
export function watchConsole(context: BrowserContext, errors: string[]): void {
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
}

export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.locator('#token').fill(token);
  await page.locator('form[action="/ui/login"] button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/ui/login'));
}

/** Screenshots at desktop and phone widths. */
export async function shoot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-390.png`) });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-390-full.png`), fullPage: true });
  await page.setViewportSize(size);
}

/** Opens an action's form and fills it; `fields` maps a field's name to its value. */
export async function sendEvent(page: Page, type: string, fields: Record<string, string> = {}, checks: string[] = []): Promise<void> {
  const form = page.locator(`details[data-event="${type}"]`);
  if (!(await form.getAttribute('open').then((v) => v !== null))) await form.locator('summary').click();
  for (const [name, value] of Object.entries(fields)) {
    const field = form.locator(`[name="${name}"]`).first();
    const tag = await field.evaluate((el) => (el as { tagName: string }).tagName);
    if (tag === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  for (const value of checks) await form.locator(`input[value="${value}"]`).check();
  // Wait for the new document: the URL after one event may equal the one after the next.
  await Promise.all([page.waitForEvent('load'), form.locator('button[type=submit]').click()]);
}

export async function currentState(page: Page): Promise<string | null> {
  return page.locator('svg.statechart g.state.current').getAttribute('data-state');
}
