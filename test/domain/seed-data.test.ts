import { describe, expect, it } from 'vitest';
import { criteria, criterionGroups } from '../../machines/criteria.js';
import { seedPlan2020, seedSchedule2020, seedUnits, type SeedUnit } from '../../src/domain/seed-data.js';

const byCode = new Map(seedUnits.map((u) => [u.code, u]));
const ofKind = (kind: SeedUnit['kind']) => seedUnits.filter((u) => u.kind === kind);
const childrenOf = (code: string) => seedUnits.filter((u) => u.parentCode === code);

const EXAMPLE_DOMAINS = ['example.gov.vn', 'example.com', 'example.org', 'example.net'];
const isExampleEmail = (email: string): boolean => {
  const at = email.lastIndexOf('@');
  if (at <= 0) return false;
  const domain = email.slice(at + 1).toLowerCase();
  return EXAMPLE_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));
};

describe('seed units', () => {
  it('has unique, ASCII upper-case codes', () => {
    const codes = seedUnits.map((u) => u.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z0-9-]+$/);
  });

  it('has exactly one province, DLK, and every parentCode exists and comes first', () => {
    expect(ofKind('province').map((u) => u.code)).toEqual(['DLK']);
    const seen = new Set<string>();
    for (const u of seedUnits) {
      if (u.parentCode !== undefined) {
        expect(byCode.has(u.parentCode), `${u.code} → ${u.parentCode}`).toBe(true);
        expect(seen.has(u.parentCode), `${u.parentCode} listed before ${u.code}`).toBe(true);
      }
      seen.add(u.code);
    }
  });

  it('has ≥ 22 departments and 15 districts under the province', () => {
    const departments = ofKind('department');
    const districts = ofKind('district');
    expect(departments.length).toBeGreaterThanOrEqual(22);
    expect(districts).toHaveLength(15);
    for (const u of [...departments, ...districts]) expect(u.parentCode).toBe('DLK');
  });

  it('ends the district level on 2025-06-30 and only links successors that exist', () => {
    for (const d of ofKind('district')) expect(d.validTo).toBe('2025-06-30');
    for (const u of seedUnits) for (const s of u.successorCodes ?? []) expect(byCode.has(s)).toBe(true);
  });

  it('uses only placeholder e-mail addresses on example domains', () => {
    const emails = seedUnits.flatMap((u) => (u.contacts ?? []).map((c) => c.email));
    expect(emails.length).toBeGreaterThan(0);
    for (const e of emails) expect(isExampleEmail(e), e).toBe(true);
  });
});

describe('seed plan 2020', () => {
  it('targets the 12 units of the annex: 7 departments and 5 districts', () => {
    const targets = seedPlan2020.targets;
    expect(targets).toHaveLength(12);
    expect(new Set(targets).size).toBe(12);
    const kinds = targets.map((c) => byCode.get(c)?.kind);
    expect(kinds.filter((k) => k === 'department')).toHaveLength(7);
    expect(kinds.filter((k) => k === 'district')).toHaveLength(5);
    expect(targets).toEqual(
      expect.arrayContaining(['SKHDT', 'SXD', 'SNGV', 'STP', 'SYT', 'TTT', 'KBNN']),
    );
    expect(targets).toEqual(
      expect.arrayContaining(['H-EAHLEO', 'TX-BUONHO', 'H-KRONGPAC', 'H-LAK', 'H-BUONDON']),
    );
  });

  it('gives every target unit a contact', () => {
    for (const c of seedPlan2020.targets) expect(byCode.get(c)?.contacts?.length ?? 0).toBeGreaterThan(0);
  });

  it('has ≥ 6 communes in each target district', () => {
    for (const code of seedPlan2020.targets.filter((c) => byCode.get(c)?.kind === 'district')) {
      const communes = childrenOf(code);
      expect(communes.length, code).toBeGreaterThanOrEqual(6);
      for (const c of communes) expect(c.kind).toBe('commune');
    }
  });

  it('records the commune counts; Buôn Đôn (7) needs rounding up for the 15–20 % sample', () => {
    // Buôn Đôn has 7 communes: 15–20 % is 1.05–1.4, so no whole number lies in
    // the band; "rounded up" (API.md) gives 2. The others have one in the band.
    const sizes = Object.fromEntries(
      seedPlan2020.targets
        .filter((c) => byCode.get(c)?.kind === 'district')
        .map((c) => [c, childrenOf(c).length]),
    );
    expect(sizes).toEqual({ 'H-EAHLEO': 12, 'TX-BUONHO': 12, 'H-KRONGPAC': 16, 'H-LAK': 11, 'H-BUONDON': 7 });
    const strictBand = (n: number) => Math.ceil(0.15 * n) <= Math.floor(0.2 * n);
    expect(strictBand(7)).toBe(false);
    expect([12, 12, 16, 11].every(strictBand)).toBe(true);
    expect(Math.max(1, Math.ceil(0.15 * 7))).toBe(2);
  });

  it('meets its own coverage rules for departments and districts', () => {
    const targets = new Set(seedPlan2020.targets);
    for (const rule of seedPlan2020.coverage.filter((r) => r.of === undefined)) {
      const all = seedUnits.filter((u) => u.kind === rule.kind);
      const inspected = all.filter((u) => targets.has(u.code));
      expect(inspected.length / all.length, rule.kind).toBeGreaterThanOrEqual(rule.minRatio);
    }
    expect(5 / 15).toBeGreaterThanOrEqual(0.3);
  });

  it('has the dates of the plan', () => {
    expect(seedPlan2020.year).toBe(2020);
    expect(seedPlan2020.reviewPeriod).toEqual({ from: '2019-01-01', to: '2020-06-30' });
    expect(seedPlan2020.visitWindow).toEqual({ from: '2020-08-01', to: '2020-10-31' });
    for (const s of seedSchedule2020) {
      expect(seedPlan2020.targets).toContain(s.unitCode);
      expect(s.date >= seedPlan2020.visitWindow.from && s.date <= seedPlan2020.visitWindow.to).toBe(true);
    }
  });
});

describe('criteria catalog', () => {
  it('has unique codes and real titles in both languages', () => {
    const codes = criteria.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toHaveLength(41);
    for (const c of criteria) {
      for (const t of [c.title.vi, c.title.en]) {
        expect(t.trim().length, c.code).toBeGreaterThan(5);
        expect(t, c.code).not.toMatch(/TODO/i);
      }
      expect(c.code.startsWith(c.group), c.code).toBe(true);
      expect(c.appliesTo, c.code).toEqual(c.group === 's' ? ['surprise'] : ['planned']);
    }
  });

  it('names every group', () => {
    const groups = new Set(criteria.map((c) => c.group));
    expect(new Set(Object.keys(criterionGroups))).toEqual(groups);
    for (const g of Object.values(criterionGroups)) {
      expect(g.vi).not.toMatch(/TODO/i);
      expect(g.en).not.toMatch(/TODO/i);
    }
  });
});
