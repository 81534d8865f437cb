import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/domain/tokens.js';
import { freePort } from '../support/ports.js';
import { ADMIN, ARTIFACTS, currentState, launch, sendEvent, serve, shoot, signIn, watchConsole, type Served } from './dashboard-support.js';

let served: Served;
let browser: Browser;
const consoleErrors: string[] = [];

async function tokenFor(role: 'coordinator' | 'inspector' | 'unit', name: string, unitCode?: string): Promise<string> {
  return (await createToken(served.t.db, { role, name, unitCode: unitCode ?? null })).token;
}

/** Polls for something the service's background loops produce (bounded; they run every 200 ms here). */
async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting for the service');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function inspectionOf(unitCode: string): Promise<{ id: string; version: number; state: string }> {
  return served.t.db
    .selectFrom('instances')
    .select(['id', 'version', 'state'])
    .where('unit_code', '=', unitCode)
    .where('kind', '=', 'planned')
    .executeTakeFirstOrThrow();
}

beforeAll(async () => {
  served = await serve();
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('the dashboard in a browser', () => {
  it('runs an inspection from self-report request to verified remediation, live, with the diagram following', async () => {
    const { base } = served;
    const coordinatorToken = await tokenFor('coordinator', 'Sở Nội vụ');
    const inspectorToken = await tokenFor('inspector', 'Đoàn kiểm tra');
    const unitToken = await tokenFor('unit', 'Sở Kế hoạch và Đầu tư', 'SKHDT');
    const inspection = await inspectionOf('SKHDT');

    const coordinatorContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    watchConsole(coordinatorContext, consoleErrors);
    const coordinator = await coordinatorContext.newPage();

    // Signed out, the dashboard asks for a token; Vietnamese by default.
    await coordinator.goto(`${base}/`);
    expect(new URL(coordinator.url()).pathname).toBe('/ui/login');
    expect(await coordinator.locator('html').getAttribute('lang')).toBe('vi');
    await expect(coordinator.locator('h1').textContent()).resolves.toBe('Đăng nhập');
    await shoot(coordinator, '01-login');
    await coordinator.locator('#token').fill('kt_not-a-real-token');
    await coordinator.locator('form[action="/ui/login"] button[type=submit]').click();
    await expect(coordinator.locator('.problem').textContent()).resolves.toContain('Mã truy cập không đúng');

    await signIn(coordinator, base, coordinatorToken);
    expect(coordinator.url()).toMatch(/\/ui\/plans\/[0-9a-f-]{36}$/);
    const planUrl = coordinator.url();
    await expect(coordinator.locator('h1').textContent()).resolves.toContain('Đắk Lắk');
    expect(await coordinator.locator('.column[data-stage="planned"] .card').count()).toBe(12);
    expect(await coordinator.locator('.gauge').count()).toBe(3);
    await shoot(coordinator, '02-plan');

    // The English switch, and back.
    await coordinator.locator('a.lang').click();
    expect(await coordinator.locator('html').getAttribute('lang')).toBe('en');
    await expect(coordinator.locator('#board-h').textContent()).resolves.toBe('Inspections by stage');
    await shoot(coordinator, '03-plan-en');
    await coordinator.locator('a.lang').click();
    expect(await coordinator.locator('html').getAttribute('lang')).toBe('vi');

    await coordinator.locator(`.card[data-inspection="${inspection.id}"] a`).click();
    await coordinator.waitForURL(`**/ui/inspections/${inspection.id}`);
    expect(await currentState(coordinator)).toBe('planned');
    await shoot(coordinator, '04-inspection-planned');

    // A refused form shows the API's own problem: the same issues, next to the fields.
    const api = await fetch(`${base}/inspections/${inspection.id}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${coordinatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'REQUEST_SELF_REPORT', outline: 'Đề cương' }),
    });
    expect(api.status).toBe(400);
    const apiProblem = (await api.json()) as { issues: { path: string; message: string }[] };
    expect(apiProblem.issues.length).toBeGreaterThan(0);
    await sendEvent(coordinator, 'REQUEST_SELF_REPORT', { outline: 'Đề cương' });
    await expect(coordinator.locator('#problem').getAttribute('data-status')).resolves.toBe('400');
    const shown = await coordinator.locator('#problem').textContent();
    for (const issue of apiProblem.issues) expect(shown).toContain(issue.message);
    await expect(coordinator.locator('details[data-event="REQUEST_SELF_REPORT"] .field-error').first().textContent()).resolves.toBe(
      apiProblem.issues[0]!.message,
    );
    expect(await currentState(coordinator)).toBe('planned');
    await shoot(coordinator, '05-inspection-validation');

    await sendEvent(coordinator, 'REQUEST_SELF_REPORT', { dueDate: '2020-07-15', outline: 'Đề cương báo cáo tự kiểm tra công tác CCHC' });
    expect(await currentState(coordinator)).toBe('selfReport.requested');
    expect(await coordinator.locator('svg.statechart g.edge.taken').count()).toBe(1);
    await expect(coordinator.locator('#done').textContent()).resolves.toContain('Yêu cầu báo cáo tự kiểm tra');

    // The unit, in a browser of its own, submits its self-report; the coordinator's page follows without a reload.
    await coordinator.evaluate('window.__notReloaded = true');
    const unitContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    watchConsole(unitContext, consoleErrors);
    const unit = await unitContext.newPage();
    await signIn(unit, base, unitToken);
    expect(new URL(unit.url()).pathname).toBe('/ui/units/SKHDT');
    await expect(unit.locator('#ics-url').inputValue()).resolves.toContain('/units/SKHDT/calendar.ics?token=');
    expect(await unit.locator('table.deadlines tbody tr').count()).toBe(1);
    await shoot(unit, '06-unit');
    await unit.locator(`.inspection-list li[data-inspection="${inspection.id}"] a`).click();
    await unit.waitForURL(`**/ui/inspections/${inspection.id}`);
    expect(await unit.locator('details[data-event]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { event: string } }).dataset.event))).toEqual([
      'SUBMIT_SELF_REPORT',
    ]);
    await sendEvent(unit, 'SUBMIT_SELF_REPORT', {
      summary: 'Báo cáo kết quả tự kiểm tra công tác cải cách hành chính năm 2020',
      documents: 'Báo cáo số 12/BC-SKHĐT | https://example.org/bc-12.pdf\nDanh mục hồ sơ kiểm chứng',
    });
    expect(await currentState(unit)).toBe('selfReport.submitted');
    await shoot(unit, '07-unit-submitted');

    await coordinator.locator('svg.statechart g.state.current[data-state="selfReport.submitted"]').waitFor({ timeout: 15_000 });
    expect(await coordinator.evaluate('window.__notReloaded')).toBe(true);
    await expect(coordinator.locator('.documents').textContent()).resolves.toContain('Báo cáo số 12/BC-SKHĐT');
    await shoot(coordinator, '08-inspection-live-submitted');

    await sendEvent(coordinator, 'SCHEDULE_VISIT', { date: '2020-08-20', team: 'Nguyễn Văn A (Trưởng đoàn)\nTrần Thị B' });
    expect(await currentState(coordinator)).toBe('visit.scheduled');

    // The inspection team visits and records what it found.
    const inspectorContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    watchConsole(inspectorContext, consoleErrors);
    const inspector = await inspectorContext.newPage();
    await signIn(inspector, base, inspectorToken);
    await inspector.goto(`${base}/ui/inspections/${inspection.id}`);
    await sendEvent(inspector, 'START_VISIT');
    expect(await currentState(inspector)).toBe('visit.inProgress');
    await sendEvent(inspector, 'COMPLETE_VISIT', { minutes: 'Biên bản làm việc ngày 20/8/2020' });
    expect(await currentState(inspector)).toBe('findings');
    await sendEvent(inspector, 'RECORD_FINDING', {
      criterionCode: 'a3',
      kind: 'shortcoming',
      text: 'Chưa ban hành kế hoạch tuyên truyền CCHC năm 2020',
      responsible: 'Văn phòng Sở',
    });
    await sendEvent(inspector, 'RECORD_FINDING', { criterionCode: 'i7', kind: 'strength', text: 'Duy trì tốt hệ thống ISO 9001' });
    expect(await currentState(inspector)).toBe('findings');
    expect(await inspector.locator('.finding').count()).toBe(2);
    expect(await inspector.locator('.finding-group').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { group: string } }).dataset.group))).toEqual(['a', 'i']);
    await shoot(inspector, '09-inspection-findings');

    // The coordinator's page has followed the team's work.
    await coordinator.locator('svg.statechart g.state.current[data-state="findings"]').waitFor({ timeout: 15_000 });
    await sendEvent(coordinator, 'ISSUE_CONCLUSION', {
      summary: 'Kết luận kiểm tra công tác CCHC năm 2020 tại Sở Kế hoạch và Đầu tư',
      'remediation.0.action': 'Ban hành kế hoạch tuyên truyền CCHC',
      'remediation.0.dueDate': '2020-10-30',
      'remediation.0.responsible': 'Giám đốc Sở',
    });
    expect(await currentState(coordinator)).toBe('remediation');
    await expect(coordinator.locator('.item[data-item="R1"]').textContent()).resolves.toContain('F1');

    await unit.goto(`${base}/ui/inspections/${inspection.id}`);
    await sendEvent(unit, 'REPORT_PROGRESS', { itemId: 'R1', percent: '100', note: 'Đã ban hành Kế hoạch số 45/KH-SKHĐT' });
    await expect(unit.locator('.item[data-item="R1"] progress').getAttribute('value')).resolves.toBe('100');

    await coordinator.locator('.item[data-item="R1"].status-reported').waitFor({ timeout: 15_000 });
    await sendEvent(coordinator, 'VERIFY_ITEM', { itemId: 'R1', note: 'Đạt yêu cầu' }, ['true']);
    expect(await currentState(coordinator)).toBe('closed');
    // The whole path is marked: request, submit, schedule, start, complete, the findings loop, conclusion, progress, verification, closing.
    const taken = await coordinator.locator('svg.statechart g.edge.taken').evaluateAll((els) =>
      els.map((e) => (e as unknown as { dataset: { event: string } }).dataset.event),
    );
    for (const event of ['REQUEST_SELF_REPORT', 'SUBMIT_SELF_REPORT', 'SCHEDULE_VISIT', 'START_VISIT', 'COMPLETE_VISIT', 'RECORD_FINDING', 'ISSUE_CONCLUSION', 'always']) {
      expect(taken).toContain(event);
    }
    await expect(coordinator.locator('.chain').getAttribute('data-chain')).resolves.toBe('ok');
    expect(await coordinator.locator('ol.timeline > li').count()).toBe((await inspectionOf('SKHDT')).version);
    await shoot(coordinator, '10-inspection-closed');

    // The plan page counts it: one closed, remediation 1/1 verified.
    await coordinator.goto(planUrl);
    expect(await coordinator.locator('.column[data-stage="closed"] .card').count()).toBe(1);
    await expect(coordinator.locator('[data-closure]').getAttribute('data-closure')).resolves.toBe('1/1');

    // The results report, printable, and its CSV.
    await coordinator.goto(`${planUrl}/report`);
    await expect(coordinator.locator('.report-unit[data-unit="SKHDT"]').textContent()).resolves.toContain('Chưa ban hành kế hoạch tuyên truyền');
    await shoot(coordinator, '11-report');
    const [download] = await Promise.all([coordinator.waitForEvent('download'), coordinator.locator('a[href$="report.csv"]').first().click()]);
    const file = path.join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(file);
    const csv = await readFile(file, 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '"Mã đơn vị","Đơn vị","Trạng thái","Nhóm tiêu chí","Tên nhóm tiêu chí","Tiêu chí","Mã kết quả","Loại","Nội dung","Trách nhiệm","Khắc phục","Tình hình khắc phục","Tiến độ (%)"',
    );
    expect(lines.slice(1)).toEqual([
      '"SKHDT","Sở Kế hoạch và Đầu tư","Đã kết thúc","a","Công tác chỉ đạo, điều hành","a3","F1","Tồn tại, hạn chế","Chưa ban hành kế hoạch tuyên truyền CCHC năm 2020","Văn phòng Sở","R1: Ban hành kế hoạch tuyên truyền CCHC","Đã xác nhận","100"',
      '"SKHDT","Sở Kế hoạch và Đầu tư","Đã kết thúc","i","Hiện đại hóa hành chính","i7","F2","Ưu điểm","Duy trì tốt hệ thống ISO 9001","","","",""',
    ]);

    // A reminder whose webhook cannot be delivered fails; the reminders page lists it and retries it.
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const hook = await fetch(`${base}/webhooks`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ url: `http://127.0.0.1:${await freePort()}/hook`, secret: 'a-webhook-secret-0123456789' }),
    });
    expect(hook.status).toBe(201);
    const late = await inspectionOf('SYT');
    const requested = await fetch(`${base}/inspections/${late.id}/events`, {
      method: 'POST',
      headers: { ...admin, authorization: `Bearer ${coordinatorToken}` },
      body: JSON.stringify({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-03' }),
    });
    expect(requested.status).toBe(200);
    // The day before it is due, the reminder goes out (to a webhook nobody answers).
    served.clock.set('2020-07-02T03:00:00.000Z');
    const failed = await waitFor(async () =>
      served.t.db.selectFrom('reminders').select(['id', 'status']).where('inspection_id', '=', late.id).where('status', '=', 'failed').executeTakeFirst(),
    );
    // A day later the session (one working day, by the service's clock) has ended: sign in again.
    await coordinator.goto(`${base}/ui/reminders`);
    expect(new URL(coordinator.url()).pathname).toBe('/ui/login');
    await signIn(coordinator, base, coordinatorToken);
    await coordinator.goto(`${base}/ui/reminders`);
    await expect(coordinator.locator('h1').textContent()).resolves.toBe('Nhắc việc và thông báo');
    expect(await coordinator.locator(`tr[data-reminder="${failed.id}"].status-failed`).count()).toBe(1);
    await shoot(coordinator, '12-reminders');
    await Promise.all([coordinator.waitForURL(/done=retry/), coordinator.locator(`tr[data-reminder="${failed.id}"] form button`).click()]);
    await expect(coordinator.locator('.notice').textContent()).resolves.toContain('Gửi lại');
    const retried = await served.t.db.selectFrom('reminders').select(['status', 'attempts']).where('id', '=', failed.id).executeTakeFirstOrThrow();
    expect(retried.status === 'pending' || retried.attempts <= 1).toBe(true);

    // Signing out ends the session: the pages ask for a token again.
    await coordinator.goto(planUrl);
    await coordinator.locator('form[action="/ui/logout"] button').click();
    await coordinator.waitForURL('**/ui/login');
    await coordinator.goto(planUrl);
    expect(new URL(coordinator.url()).pathname).toBe('/ui/login');

    expect(consoleErrors).toEqual([]);
    await Promise.all([coordinatorContext.close(), unitContext.close(), inspectorContext.close()]);
  }, 180_000);

  it("keeps a unit's session to its own unit: other units' pages and actions are not found", async () => {
    const { base, t } = served;
    const unitToken = await tokenFor('unit', 'Sở Xây dựng', 'SXD');
    const own = await inspectionOf('SXD');
    const other = await inspectionOf('SKHDT');
    const otherBefore = await inspectionOf('SKHDT');
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signIn(page, base, unitToken);
    expect(new URL(page.url()).pathname).toBe('/ui/units/SXD');

    expect((await page.goto(`${base}/ui/units/SKHDT`))?.status()).toBe(404);
    expect((await page.goto(`${base}/ui/inspections/${other.id}`))?.status()).toBe(404);
    expect((await page.goto(`${base}/ui/reminders`))?.status()).toBe(403);

    // Its own inspection page works, and gives the form's CSRF token to try the other unit's inspection with.
    expect((await page.goto(`${base}/ui/inspections/${own.id}`))?.status()).toBe(200);
    const csrf = await page.locator('form[action="/ui/logout"] input[name="_csrf"]').inputValue();
    const forged = await page.request.post(`${base}/ui/inspections/${other.id}/events`, {
      form: { _csrf: csrf, type: 'SUBMIT_SELF_REPORT', summary: 'not ours', version: String(other.version) },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(404);
    // Without the session's CSRF token nothing is accepted, even on its own inspection.
    const noToken = await page.request.post(`${base}/ui/inspections/${own.id}/events`, {
      form: { type: 'CANCEL', reason: 'x' },
      maxRedirects: 0,
    });
    expect(noToken.status()).toBe(403);

    // The plan shows its own inspection only, and so do the report and its CSV.
    const plan = await t.db.selectFrom('plans').select('id').executeTakeFirstOrThrow();
    await page.goto(`${base}/ui/plans/${plan.id}`);
    expect(await page.locator('.card').count()).toBe(1);
    expect(await page.locator(`.card[data-inspection="${own.id}"]`).count()).toBe(1);
    const csv = await page.request.get(`${base}/ui/plans/${plan.id}/report.csv`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).not.toContain('SKHDT');

    expect(await inspectionOf('SKHDT')).toEqual(otherBefore);
    await context.close();
  }, 120_000);
});

