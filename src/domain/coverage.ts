import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { CoverageRule } from '../db/schema.js';

/** The plan's default rules (2020 Đắk Lắk plan, section III): ≥ 30 % of departments and of districts, 15–20 % of each inspected district's communes. */
export const DEFAULT_COVERAGE: CoverageRule[] = [
  { kind: 'department', minRatio: 0.3 },
  { kind: 'district', minRatio: 0.3 },
  { kind: 'commune', minRatio: 0.15, maxRatio: 0.2, of: 'district' },
];

export interface CoverageResult {
  kind: string;
  of?: string;
  inspected: number;
  total: number;
  ratio: number | null;
  minRatio: number;
  maxRatio?: number;
  ok: boolean;
  /** When the rule is checked: at approval (share of targets) or at each visit (sampled sub-units). */
  checkedAt: 'approval' | 'visit';
  /** For rules checked at the visit: inspected units whose sample is not chosen yet. */
  pending?: number;
  detail?: string;
}

/** Units that exist during the plan's year (validity dates are inclusive). */
function validInYear(year: number) {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  return sql<boolean>`(valid_from is null or valid_from <= ${to}::date) and (valid_to is null or valid_to >= ${from}::date)`;
}

function within(ratio: number, rule: CoverageRule): boolean {
  const eps = 1e-9;
  return ratio + eps >= rule.minRatio && (rule.maxRatio === undefined || ratio - eps <= rule.maxRatio);
}

/** How many sub-units a visit must sample: the band rounded up, at least one (API.md, SCHEDULE_VISIT). */
export function sampleBounds(count: number, rule: Pick<CoverageRule, 'minRatio' | 'maxRatio'>): { min: number; max: number } {
  const min = Math.max(1, Math.ceil(count * rule.minRatio - 1e-9));
  const max = Math.max(min, rule.maxRatio === undefined ? count : Math.ceil(count * rule.maxRatio - 1e-9));
  return { min, max: Math.min(max, Math.max(count, min)) };
}

/**
 * Coverage of a plan against its rules, from the unit registry. A rule with
 * `of` (communes of each inspected district) is met by the visits' samples,
 * so before the visits it reports what has been sampled so far.
 */
export async function computeCoverage(
  db: Db,
  plan: { id: string; year: number; targets: readonly string[]; coverage: readonly CoverageRule[] },
): Promise<CoverageResult[]> {
  const results: CoverageResult[] = [];
  const targetKinds = plan.targets.length
    ? await db.selectFrom('units').select(['code', 'kind']).where('code', 'in', [...plan.targets]).execute()
    : [];
  for (const rule of plan.coverage) {
    if (!rule.of) {
      const { total } = await db
        .selectFrom('units')
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .where('kind', '=', rule.kind)
        .where(validInYear(plan.year))
        .executeTakeFirstOrThrow();
      const inspected = targetKinds.filter((u) => u.kind === rule.kind).length;
      const ratio = total > 0 ? inspected / total : null;
      results.push({
        kind: rule.kind,
        inspected,
        total,
        ratio,
        minRatio: rule.minRatio,
        ...(rule.maxRatio !== undefined ? { maxRatio: rule.maxRatio } : {}),
        ok: ratio === null ? inspected === 0 : within(ratio, rule),
        checkedAt: 'approval',
      });
      continue;
    }
    const parents = targetKinds.filter((u) => u.kind === rule.of).map((u) => u.code);
    let inspected = 0;
    let total = 0;
    const short: string[] = [];
    let pending = 0;
    if (parents.length > 0) {
      const children = await db
        .selectFrom('units')
        .select(['code', 'parent_code'])
        .where('kind', '=', rule.kind)
        .where('parent_code', 'in', parents)
        .where(validInYear(plan.year))
        .execute();
      const visits = await db
        .selectFrom('instances')
        .select(['unit_code', sql<string[] | null>`snapshot->'context'->'visit'->'sampledUnits'`.as('sampled')])
        .where('plan_id', '=', plan.id)
        .where('unit_code', 'in', parents)
        .execute();
      const sampledBy = new Map(visits.map((v) => [v.unit_code, v.sampled ?? []]));
      for (const parent of parents) {
        const mine = children.filter((c) => c.parent_code === parent);
        const sampled = (sampledBy.get(parent) ?? []).filter((code) => mine.some((c) => c.code === code));
        total += mine.length;
        inspected += sampled.length;
        if (sampled.length === 0) pending += 1;
        else if (mine.length > 0) {
          const { min, max } = sampleBounds(mine.length, rule);
          if (sampled.length < min || sampled.length > max) short.push(`${parent} ${sampled.length}/${mine.length} (needs ${min}–${max})`);
        }
      }
    }
    results.push({
      kind: rule.kind,
      of: rule.of,
      inspected,
      total,
      ratio: total > 0 ? inspected / total : null,
      minRatio: rule.minRatio,
      ...(rule.maxRatio !== undefined ? { maxRatio: rule.maxRatio } : {}),
      ok: short.length === 0,
      checkedAt: 'visit',
      pending,
      ...(short.length ? { detail: `sampled at visits so far: ${short.join('; ')}` } : {}),
    });
  }
  return results;
}
