/**
 * The criteria catalog: what an inspection checks, from sections II.1 (planned
 * inspections, groups a–i; the plan's lettering skips f) and II.2 (surprise
 * inspections, s1–s2) of the 2020 Đắk Lắk plan. Pure data, shared by the
 * machines (a finding must name a criterion that applies) and the HTTP layer.
 */
export type InspectionKind = 'planned' | 'surprise';
export type CriterionGroup = 'a' | 'b' | 'c' | 'd' | 'e' | 'g' | 'h' | 'i' | 's';

export interface Criterion {
  code: string;
  group: CriterionGroup;
  title: { vi: string; en: string };
  appliesTo: readonly InspectionKind[];
}

export const criteria: readonly Criterion[] = [
  { code: 'a1', group: 'a', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'a2', group: 'a', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'a3', group: 'a', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'a4', group: 'a', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'a5', group: 'a', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'a6', group: 'a', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'a7', group: 'a', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'a8', group: 'a', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'b1', group: 'b', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'b2', group: 'b', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'b3', group: 'b', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'b4', group: 'b', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'b5', group: 'b', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'c1', group: 'c', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'c2', group: 'c', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'c3', group: 'c', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'd1', group: 'd', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'd2', group: 'd', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'd3', group: 'd', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'd4', group: 'd', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'e1', group: 'e', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'e2', group: 'e', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'e3', group: 'e', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'g1', group: 'g', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'g2', group: 'g', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'g3', group: 'g', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'g4', group: 'g', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'g5', group: 'g', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'g6', group: 'g', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'g7', group: 'g', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'h1', group: 'h', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'h2', group: 'h', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'i1', group: 'i', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'i2', group: 'i', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'i3', group: 'i', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'i4', group: 'i', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'i5', group: 'i', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'i6', group: 'i', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 'i7', group: 'i', appliesTo: ['planned'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 's1', group: 's', appliesTo: ['surprise'], title: { vi: 'TODO', en: 'TODO' } },
  { code: 's2', group: 's', appliesTo: ['surprise'], title: { vi: 'TODO', en: 'TODO' } },
];

export function criterionCodesFor(kind: InspectionKind): string[] {
  return criteria.filter((c) => c.appliesTo.includes(kind)).map((c) => c.code);
}

export function findCriterion(code: string): Criterion | undefined {
  return criteria.find((c) => c.code === code);
}
