import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/seed.js';
import { seedPlan2020, seedUnits } from '../../src/domain/seed-data.js';
import { createTestApp, type TestApp } from '../support/app.js';

let h: TestApp;
let planId: string;

beforeAll(async () => {
  h = await createTestApp();
  const seeded = await seedDemo(h.t.db, h.clock.now(), 'Asia/Ho_Chi_Minh');
  planId = seeded.planId!;
});
afterAll(async () => {
  await h.close();
});

type Headers = Record<string, string>;

async function send(id: string, headers: Headers, event: Record<string, unknown>, expected = 200) {
  const res = await h.app.inject({ method: 'POST', url: `/inspections/${id}/events`, headers, payload: event });
  expect(res.statusCode, `${event.type as string}: ${res.body}`).toBe(expected);
  return res.json() as { state: string; version: number; allowedEvents: string[] };
}

async function get(url: string, headers: Headers) {
  const res = await h.app.inject({ method: 'GET', url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('the 2020 Đắk Lắk plan, end to end over HTTP', () => {
  it('was seeded approved with its 12 planned inspections and coverage met', async () => {
    const plan = await get(`/plans/${planId}`, h.admin);
    expect(plan.state).toBe('approved');
    expect(plan.inspections).toHaveLength(12);
    expect(new Set(plan.inspections.map((i: { unitCode: string }) => i.unitCode))).toEqual(new Set(seedPlan2020.targets));
    const byKind = Object.fromEntries(plan.coverage.map((c: { kind: string }) => [c.kind, c]));
    expect(byKind.department).toMatchObject({ inspected: 7, ok: true });
    expect(byKind.district).toMatchObject({ inspected: 5, total: 15, ok: true });
    const rows = await h.t.db.selectFrom('instances').select('state').where('plan_id', '=', planId).execute();
    expect(rows.every((r) => r.state === 'planned')).toBe(true);
  });

  it('drives all 12 inspections from planned to closed, each unit acting with its own token', async () => {
    const coordinator = await h.auth('coordinator');
    const inspector = await h.auth('inspector');
    const plan = await get(`/plans/${planId}`, h.admin);
    for (const [n, inspection] of (plan.inspections as { id: string; unitCode: string }[]).entries()) {
      const unit = await h.auth('unit', inspection.unitCode);
      const id = inspection.id;
      await send(id, coordinator, { type: 'REQUEST_SELF_REPORT', dueInWorkingDays: 10, outline: 'Đề cương' });
      const view = await get(`/inspections/${id}`, unit);
      expect(view.allowedEvents).toEqual(['SUBMIT_SELF_REPORT']);
      await send(id, unit, {
        type: 'SUBMIT_SELF_REPORT',
        summary: `Báo cáo tự kiểm tra ${inspection.unitCode}`,
        documents: [{ title: 'Hồ sơ kiểm chứng', url: 'https://example.org/hs.pdf' }],
      });
      const communes = seedUnits.filter((u) => u.parentCode === inspection.unitCode).map((u) => u.code);
      const sample = communes.slice(0, Math.max(1, Math.ceil(communes.length * 0.15 - 1e-9)));
      await send(id, coordinator, {
        type: 'SCHEDULE_VISIT',
        date: '2020-08-20',
        team: ['Phó Giám đốc Sở Nội vụ', 'Văn phòng UBND tỉnh'],
        ...(communes.length ? { sampledUnits: sample } : {}),
      });
      await send(id, inspector, { type: 'START_VISIT' });
      await send(id, inspector, { type: 'COMPLETE_VISIT', minutes: 'Biên bản làm việc' });
      await send(id, inspector, { type: 'RECORD_FINDING', criterionCode: 'i7', kind: 'strength', text: 'ISO 9001 áp dụng tốt' });
      await send(id, inspector, {
        type: 'RECORD_FINDING',
        criterionCode: 'd2',
        kind: 'shortcoming',
        text: 'Hồ sơ trễ hạn chưa có thư xin lỗi',
        responsible: 'Bộ phận một cửa',
      });
      const withFindings = await get(`/inspections/${id}`, coordinator);
      const findings = (withFindings.context as { findings: { id: string; kind: string }[] }).findings;
      const shortcoming = findings.find((f) => f.kind === 'shortcoming')!;
      const items = n % 3 === 0 ? [] : [{ action: 'Gửi thư xin lỗi', dueDate: '2020-12-15', findingId: shortcoming.id }];
      const concluded = await send(id, coordinator, { type: 'ISSUE_CONCLUSION', summary: 'Kết luận', remediation: items });
      if (items.length === 0) {
        expect(concluded.state).toBe('closed');
        continue;
      }
      expect(concluded.state).toBe('remediation');
      const itemId = ((await get(`/inspections/${id}`, unit)).context as { remediation: { id: string }[] }).remediation[0]!.id;
      await send(id, unit, { type: 'REPORT_PROGRESS', itemId, percent: 50, note: 'Đang thực hiện' });
      await send(id, coordinator, { type: 'VERIFY_ITEM', itemId, accepted: true }, 409);
      await send(id, unit, { type: 'REPORT_PROGRESS', itemId, percent: 100 });
      const closed = await send(id, coordinator, { type: 'VERIFY_ITEM', itemId, accepted: true });
      expect(closed.state).toBe('closed');
    }
    const rows = await h.t.db.selectFrom('instances').select('state').where('plan_id', '=', planId).execute();
    expect(rows.map((r) => r.state)).toEqual(Array(12).fill('closed'));

    const reported = await h.app.inject({
      method: 'POST',
      url: `/plans/${planId}/events`,
      headers: coordinator,
      payload: { type: 'REPORT', summary: 'Báo cáo kết quả kiểm tra CCHC năm 2020' },
    });
    expect(reported.statusCode, reported.body).toBe(200);
    expect(reported.json().state).toBe('reported');
    const verify = await get('/audit/verify', h.admin);
    expect(verify.ok).toBe(true);
  });
});

describe('surprise inspections', () => {
  async function propose(announced: boolean) {
    const coordinator = await h.auth('coordinator');
    const res = await h.app.inject({
      method: 'POST',
      url: '/inspections',
      headers: coordinator,
      payload: { kind: 'surprise', unitCode: 'STP', contents: ['s1', 's2'], announced, reason: 'Phản ánh của người dân' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'surprise', state: 'proposed', unitCode: 'STP' });
    return res.json().id as string;
  }

  it('announced: proposed → decided → visit.scheduled → visit.inProgress → findings → closed', async () => {
    const [coordinator, chairman, inspector, unit] = await Promise.all([
      h.auth('coordinator'),
      h.auth('chairman'),
      h.auth('inspector'),
      h.auth('unit', 'STP'),
    ]);
    const id = await propose(true);
    await send(id, chairman, { type: 'DECIDE', decisionNo: '12/QĐ-UBND', visitDate: '2020-09-10' });
    await send(id, inspector, { type: 'START_VISIT' }, 409);
    expect((await send(id, coordinator, { type: 'SCHEDULE_VISIT', date: '2020-09-10' })).state).toBe('visit.scheduled');
    await send(id, inspector, { type: 'START_VISIT' });
    await send(id, inspector, { type: 'COMPLETE_VISIT' });
    await send(id, inspector, { type: 'RECORD_FINDING', criterionCode: 'a1', kind: 'strength', text: 'x' }, 400);
    await send(id, inspector, { type: 'RECORD_FINDING', criterionCode: 's2', kind: 'shortcoming', text: 'Chưa xin lỗi' });
    const f = (await get(`/inspections/${id}`, coordinator)).context.findings[0].id;
    await send(id, coordinator, {
      type: 'ISSUE_CONCLUSION',
      summary: 'Kết luận',
      remediation: [{ action: 'Xin lỗi bằng văn bản', dueDate: '2020-10-01', findingId: f }],
    });
    const itemId = (await get(`/inspections/${id}`, unit)).context.remediation[0].id;
    await send(id, unit, { type: 'REPORT_PROGRESS', itemId, percent: 100 });
    expect((await send(id, coordinator, { type: 'VERIFY_ITEM', itemId, accepted: true })).state).toBe('closed');
  });

  it('unannounced: decided goes straight to visit.inProgress; a rejected proposal is cancelled', async () => {
    const [coordinator, chairman, inspector] = await Promise.all([h.auth('coordinator'), h.auth('chairman'), h.auth('inspector')]);
    const id = await propose(false);
    await send(id, chairman, { type: 'DECIDE', decisionNo: '13/QĐ-UBND' });
    await send(id, coordinator, { type: 'SCHEDULE_VISIT', date: '2020-09-10' }, 409);
    expect((await send(id, inspector, { type: 'START_VISIT' })).state).toBe('visit.inProgress');
    await send(id, inspector, { type: 'COMPLETE_VISIT' });
    expect((await send(id, coordinator, { type: 'ISSUE_CONCLUSION', summary: 'Không có tồn tại', remediation: [] })).state).toBe(
      'closed',
    );
    const other = await propose(false);
    expect((await send(other, chairman, { type: 'REJECT', reason: 'Không đủ căn cứ' })).state).toBe('cancelled');
    const history = await get(`/inspections/${id}/history`, coordinator);
    expect(history.items.map((i: { to: string }) => i.to)).toEqual([
      'proposed',
      'decided',
      'visit.inProgress',
      'findings',
      'closed',
    ]);
  });
});
