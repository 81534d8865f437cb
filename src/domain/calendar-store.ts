import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { inTransaction, type Actor } from '../engine/index.js';
import { recordAdminAction } from './admin-audit.js';
import { calendarLookup, defaultCalendar, type CalendarLookup, type YearCalendar } from './calendar.js';

/**
 * The working-day calendars an admin stored with `PUT /calendar/:year`; a
 * stored year replaces the computed default for that year as a whole.
 */

function fromRow(row: { year: number; days_off: string[]; working_weekends: string[]; source: string | null }): YearCalendar {
  const cal: YearCalendar = { year: row.year, daysOff: row.days_off, workingWeekends: row.working_weekends };
  if (row.source !== null) cal.source = row.source;
  return cal;
}

/** The stored calendar of `year`, or the computed default. */
export async function getYearCalendar(db: Kysely<Database>, year: number): Promise<YearCalendar & { stored: boolean }> {
  const row = await db
    .selectFrom('calendar_years')
    .select(['year', 'days_off', 'working_weekends', 'source'])
    .where('year', '=', year)
    .executeTakeFirst();
  return row ? { ...fromRow(row), stored: true } : { ...defaultCalendar(year), stored: false };
}

/**
 * Replaces the stored calendar of `cal.year` (already validated and
 * normalised), recorded in the admin audit trail in the same transaction.
 */
export async function putYearCalendar(db: Kysely<Database>, cal: YearCalendar, actor: Actor, now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    await storeYear(trx, cal, actor.id, now);
    await recordAdminAction(trx, {
      actor,
      action: 'calendar.replaced',
      subject: String(cal.year),
      details: { daysOff: cal.daysOff, workingWeekends: cal.workingWeekends, source: cal.source ?? null },
      at: now,
    });
  });
}

async function storeYear(db: Kysely<Database>, cal: YearCalendar, actorId: string, now: Date): Promise<void> {
  const values = {
    year: cal.year,
    days_off: JSON.stringify(cal.daysOff),
    working_weekends: JSON.stringify(cal.workingWeekends),
    source: cal.source ?? null,
    updated_by: actorId,
    updated_at: now,
  };
  await db
    .insertInto('calendar_years')
    .values(values)
    .onConflict((oc) =>
      oc.column('year').doUpdateSet({
        days_off: values.days_off,
        working_weekends: values.working_weekends,
        source: values.source,
        updated_by: actorId,
        updated_at: now,
      }),
    )
    .execute();
}

/**
 * Every stored year over the computed defaults, read once: deadline
 * arithmetic of one request or one scheduler pass uses one consistent view.
 */
export async function loadCalendarLookup(db: Kysely<Database>): Promise<CalendarLookup> {
  const rows = await db.selectFrom('calendar_years').select(['year', 'days_off', 'working_weekends', 'source']).execute();
  return calendarLookup(rows.map(fromRow));
}
