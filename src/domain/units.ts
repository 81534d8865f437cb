import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database, UnitContact, UnitRow } from '../db/schema.js';
import { inTransaction, sqlState } from '../engine/index.js';

/**
 * The unit registry (đơn vị): provinces, departments, districts, communes and
 * whatever kinds a plan needs. Units carry validity dates and successor links
 * because the 2025 reform abolished districts and merged provinces and
 * communes: a 2020 finding on a district can be followed to today's units.
 * `validTo` is the last day a unit existed (inclusive): a district abolished
 * on 1 July 2025 has `validTo` 2025-06-30.
 */

export interface Unit {
  code: string;
  name: string;
  kind: string;
  parentCode: string | null;
  contacts: UnitContact[];
  validFrom: string | null;
  validTo: string | null;
  successorCodes: string[];
}

export interface UnitSummary {
  code: string;
  name: string;
  kind: string;
  validFrom: string | null;
  validTo: string | null;
}

export interface UnitDetail extends Unit {
  /** Direct children, by code. */
  children: UnitSummary[];
  /** Every unit reached by following successor links, nearest first. */
  successors: string[];
  /** Every unit whose successor links lead here, nearest first. */
  predecessors: string[];
}

export interface NewUnit {
  code: string;
  name: string;
  kind: string;
  parentCode?: string | null;
  contacts?: UnitContact[];
  validFrom?: string | null;
  validTo?: string | null;
  successorCodes?: string[];
}

export type UnitChanges = Partial<Omit<NewUnit, 'code'>>;

export interface UnitFilter {
  kind?: string;
  parentCode?: string;
  /** Only units valid on this date (`validFrom ≤ date ≤ validTo`, open ends count as valid). */
  validOn?: string;
  /** Codes after this one (keyset pagination by code). */
  after?: string;
  limit?: number;
}

export interface UnitIssue {
  /** Relative to the unit's fields: `['successorCodes', 1]`. */
  path: (string | number)[];
  message: string;
}

export type UnitErrorCode = 'invalid' | 'duplicate' | 'not_found';

/** Why the registry refused a change; the HTTP layer maps each code to one status. */
export class UnitError extends Error {
  constructor(
    readonly code: UnitErrorCode,
    message: string,
    readonly issues: UnitIssue[] = [],
  ) {
    super(message);
    this.name = 'UnitError';
  }
}

type Executor = Kysely<Database> | Transaction<Database>;

export function toUnit(row: UnitRow): Unit {
  return {
    code: row.code,
    name: row.name,
    kind: row.kind,
    parentCode: row.parent_code,
    contacts: row.contacts,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    successorCodes: row.successor_codes,
  };
}

export async function findUnit(db: Executor, code: string): Promise<Unit | undefined> {
  const row = await db.selectFrom('units').selectAll().where('code', '=', code).executeTakeFirst();
  return row && toUnit(row);
}

/** Units matching the filter, ordered by code. */
export async function listUnits(db: Db, filter: UnitFilter = {}): Promise<Unit[]> {
  let q = db.selectFrom('units').selectAll().orderBy('code');
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  if (filter.parentCode !== undefined) q = q.where('parent_code', '=', filter.parentCode);
  if (filter.validOn !== undefined) {
    const on = filter.validOn;
    q = q
      .where((eb) => eb.or([eb('valid_from', 'is', null), eb('valid_from', '<=', on)]))
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', on)]));
  }
  if (filter.after !== undefined) q = q.where('code', '>', filter.after);
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  return (await q.execute()).map(toUnit);
}

/** The unit with its children and the units before and after it in time. */
export async function unitDetail(db: Db, code: string): Promise<UnitDetail | undefined> {
  const unit = await findUnit(db, code);
  if (!unit) return undefined;
  const children = await db
    .selectFrom('units')
    .select(['code', 'name', 'kind', 'valid_from', 'valid_to'])
    .where('parent_code', '=', code)
    .orderBy('code')
    .execute();
  return {
    ...unit,
    children: children.map((c) => ({
      code: c.code,
      name: c.name,
      kind: c.kind,
      validFrom: c.valid_from,
      validTo: c.valid_to,
    })),
    successors: await successorsOf(db, code),
    predecessors: await predecessorsOf(db, code),
  };
}

/** Breadth-first over successor links; one query per generation. */
export async function successorsOf(db: Executor, code: string): Promise<string[]> {
  const seen = new Set<string>([code]);
  const out: string[] = [];
  let frontier = [code];
  while (frontier.length > 0) {
    const rows = await db.selectFrom('units').select('successor_codes').where('code', 'in', frontier).orderBy('code').execute();
    frontier = [];
    for (const next of rows.flatMap((r) => r.successor_codes)) {
      if (seen.has(next)) continue;
      seen.add(next);
      out.push(next);
      frontier.push(next);
    }
  }
  return out;
}

/** Breadth-first against successor links; one query per generation. */
export async function predecessorsOf(db: Executor, code: string): Promise<string[]> {
  const seen = new Set<string>([code]);
  const out: string[] = [];
  let frontier = [code];
  while (frontier.length > 0) {
    const rows = await db
      .selectFrom('units')
      .select('code')
      .where(sql<boolean>`successor_codes && ${sql.val(frontier)}::text[]`)
      .orderBy('code')
      .execute();
    frontier = [];
    for (const { code: before } of rows) {
      if (seen.has(before)) continue;
      seen.add(before);
      out.push(before);
      frontier.push(before);
    }
  }
  return out;
}

async function existingCodes(db: Executor, codes: readonly string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.selectFrom('units').select('code').where('code', 'in', [...new Set(codes)]).execute();
  return new Set(rows.map((r) => r.code));
}

/** True when `candidateParent` is `code` itself or below it in the hierarchy (walking up from the candidate meets `code`). */
async function isSelfOrDescendant(db: Executor, candidateParent: string, code: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    with recursive up(code, parent_code) as (
      select code, parent_code from units where code = ${candidateParent}
      union
      select u.code, u.parent_code from units u join up on u.code = up.parent_code
    )
    select exists (select 1 from up where code = ${code}) as found`.execute(db);
  return rows[0]?.found ?? false;
}

/**
 * Field checks against the registry: the parent and successors exist, a unit
 * is not its own parent, ancestor or successor, successor links go forward in
 * time only (no cycles), and the validity interval is not reversed.
 */
async function checkUnit(trx: Executor, code: string, unit: Omit<NewUnit, 'code'>, isNew: boolean): Promise<UnitIssue[]> {
  const issues: UnitIssue[] = [];
  if (unit.validFrom && unit.validTo && unit.validFrom > unit.validTo) {
    issues.push({ path: ['validTo'], message: `must not be before validFrom (${unit.validFrom})` });
  }
  if (unit.parentCode) {
    if (unit.parentCode === code) {
      issues.push({ path: ['parentCode'], message: 'a unit cannot be its own parent' });
    } else if (!(await existingCodes(trx, [unit.parentCode])).has(unit.parentCode)) {
      issues.push({ path: ['parentCode'], message: `no unit with code ${unit.parentCode}` });
    } else if (!isNew && (await isSelfOrDescendant(trx, unit.parentCode, code))) {
      issues.push({ path: ['parentCode'], message: `${unit.parentCode} is below ${code} in the hierarchy; that would make a cycle` });
    }
  }
  const successors = unit.successorCodes ?? [];
  if (successors.length > 0) {
    const known = await existingCodes(trx, successors);
    // A new unit has no predecessors yet, so only an existing one can close a cycle.
    const before = isNew ? new Set<string>() : new Set(await predecessorsOf(trx, code));
    const listed = new Set<string>();
    successors.forEach((s, i) => {
      if (s === code) issues.push({ path: ['successorCodes', i], message: 'a unit cannot be its own successor' });
      else if (listed.has(s)) issues.push({ path: ['successorCodes', i], message: `${s} is listed twice` });
      else if (!known.has(s)) issues.push({ path: ['successorCodes', i], message: `no unit with code ${s}` });
      else if (before.has(s)) {
        issues.push({ path: ['successorCodes', i], message: `${s} is a predecessor of ${code}; that would make a cycle` });
      }
      listed.add(s);
    });
  }
  return issues;
}

/**
 * Hierarchy and successor checks read other rows; two concurrent edits could
 * each pass them and together make a cycle. Edits to the registry are rare,
 * so they are simply serialised.
 */
export async function lockRegistry(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('units.registry'))`.execute(trx);
}

export async function createUnit(db: Db, input: NewUnit): Promise<Unit> {
  return inTransaction(db, async (trx) => {
    await lockRegistry(trx);
    const issues = await checkUnit(trx, input.code, input, true);
    if (issues.length > 0) throw new UnitError('invalid', 'The unit is invalid.', issues);
    try {
      const row = await trx
        .insertInto('units')
        .values({
          code: input.code,
          name: input.name,
          kind: input.kind,
          parent_code: input.parentCode ?? null,
          contacts: JSON.stringify(input.contacts ?? []),
          valid_from: input.validFrom ?? null,
          valid_to: input.validTo ?? null,
          successor_codes: input.successorCodes ?? [],
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUnit(row);
    } catch (err) {
      if (sqlState(err) === '23505') throw new UnitError('duplicate', `A unit with code ${input.code} already exists.`);
      throw err;
    }
  });
}

export async function updateUnit(db: Db, code: string, changes: UnitChanges, now: Date): Promise<Unit> {
  return inTransaction(db, async (trx) => {
    await lockRegistry(trx);
    const row = await trx.selectFrom('units').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
    if (!row) throw new UnitError('not_found', `No unit with code ${code}.`);
    const current = toUnit(row);
    const next = { ...current, ...definedOnly(changes) };
    // Only what changes is checked: an existing link that a later edit made odd does not block an unrelated edit.
    const checked: Omit<NewUnit, 'code'> = {
      name: next.name,
      kind: next.kind,
      parentCode: changes.parentCode !== undefined ? next.parentCode : null,
      successorCodes: changes.successorCodes !== undefined ? next.successorCodes : [],
      validFrom: next.validFrom,
      validTo: next.validTo,
    };
    const issues = await checkUnit(trx, code, checked, false);
    if (issues.length > 0) throw new UnitError('invalid', 'The change is invalid.', issues);
    const updated = await trx
      .updateTable('units')
      .set({
        name: next.name,
        kind: next.kind,
        parent_code: next.parentCode,
        contacts: JSON.stringify(next.contacts),
        valid_from: next.validFrom,
        valid_to: next.validTo,
        successor_codes: next.successorCodes,
        updated_at: now,
      })
      .where('code', '=', code)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUnit(updated);
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
