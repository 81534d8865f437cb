import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Finding, RemediationItem } from '../../machines/index.js';

/**
 * Read-only look-ups the pages need beyond the domain functions: unit names,
 * deadlines and remediation figures of several inspections at once. Callers
 * pass ids they obtained through the domain functions (which apply the
 * caller's unit scope), so these never widen what a role can see.
 */

export async function unitNames(db: Db, codes: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(codes.filter((c): c is string => c !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('units').select(['code', 'name']).where('code', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}

export interface DeadlineRowView {
  id: string;
  inspectionId: string;
  unitCode: string | null;
  kind: string;
  subject: string;
  dueDate: string;
  dueAt: string;
  status: string;
}

export async function deadlinesOf(db: Db, inspectionIds: string[]): Promise<DeadlineRowView[]> {
  if (inspectionIds.length === 0) return [];
  const rows = await db.selectFrom('deadlines').selectAll().where('instance_id', 'in', inspectionIds).orderBy('due_at').execute();
  return rows.map((d) => ({
    id: d.id,
    inspectionId: d.instance_id,
    unitCode: d.unit_code,
    kind: d.kind,
    subject: d.subject,
    dueDate: d.due_date,
    dueAt: d.due_at.toISOString(),
    status: d.status,
  }));
}

export interface InspectionContent {
  id: string;
  unitCode: string | null;
  state: string;
  kind: string;
  findings: Finding[];
  remediation: RemediationItem[];
  conclusion?: { summary: string; issuedAt: string };
}

/** Findings, remediation and conclusion of the given inspections (those are never hidden from a unit that may see the inspection). */
export async function inspectionContents(db: Db, inspectionIds: string[]): Promise<InspectionContent[]> {
  if (inspectionIds.length === 0) return [];
  const rows = await db
    .selectFrom('instances')
    .select([
      'id',
      'unit_code',
      'state',
      'kind',
      sql<Finding[] | null>`snapshot->'context'->'findings'`.as('findings'),
      sql<RemediationItem[] | null>`snapshot->'context'->'remediation'`.as('remediation'),
      sql<{ summary: string; issuedAt: string } | null>`snapshot->'context'->'conclusion'`.as('conclusion'),
    ])
    .where('id', 'in', inspectionIds)
    .orderBy('unit_code')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    unitCode: r.unit_code,
    state: r.state,
    kind: r.kind,
    findings: r.findings ?? [],
    remediation: r.remediation ?? [],
    ...(r.conclusion ? { conclusion: r.conclusion } : {}),
  }));
}

export function closureRate(contents: InspectionContent[]): { issued: number; verified: number; ratio: number | null } {
  const items = contents.flatMap((c) => c.remediation);
  const verified = items.filter((i) => i.status === 'verified').length;
  return { issued: items.length, verified, ratio: items.length ? verified / items.length : null };
}

/** Communes (or other sub-units) of a unit, for the visit's sample. */
export async function childUnits(db: Db, parentCode: string): Promise<{ code: string; name: string; kind: string }[]> {
  return db.selectFrom('units').select(['code', 'name', 'kind']).where('parent_code', '=', parentCode).orderBy('code').execute();
}
