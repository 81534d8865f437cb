/**
 * The working-day calendar (lịch làm việc) and deadline arithmetic. Pure: no I/O.
 *
 * Contract (shared/API.md, `GET/PUT /calendar/:year`): a year's calendar is
 * `{year, daysOff, workingWeekends, source?}`; working days are Monday–Friday
 * plus `workingWeekends`, minus `daysOff`. The stored calendar of a year, when
 * an admin has PUT one, replaces {@link defaultCalendar} for that year.
 *
 * Deadlines follow the Civil Code 2015:
 * - Art. 147(1): when a period is counted in days, the day on which it starts
 *   is not counted;
 * - Art. 148(1): a period in days ends at 24:00 of its last day;
 * - Art. 148(2): if that last day is a weekly rest day or a public holiday,
 *   the period ends at 24:00 of the next working day.
 *
 * Dates are 'YYYY-MM-DD' strings; all arithmetic is on UTC day numbers, so the
 * results never depend on the process's time zone.
 */
import { z } from 'zod';
import { hungKingsDay, lunarNewYear } from './lunar.js';

// ---------------------------------------------------------------------------
// Types

export interface YearCalendar {
  year: number;
  /** days with no work, 'YYYY-MM-DD', sorted, unique (weekend days inside an announced break may be listed) */
  daysOff: string[];
  /** Saturdays/Sundays that are worked (make-up days, ngày làm bù), sorted, unique */
  workingWeekends: string[];
  /** where the data came from */
  source?: string;
}

/** The calendar of any year: lets deadlines that cross a year boundary use the right year's calendar. */
export type CalendarLookup = (year: number) => YearCalendar;

// ---------------------------------------------------------------------------
// Date helpers (UTC day numbers: days since 1970-01-01)

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isValidDate(date: string): boolean {
  const m = ISO_DATE.exec(date);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d); // unlike Date.UTC, does not map years 0–99 to 1900–1999
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Day number (days since 1970-01-01, UTC) of a 'YYYY-MM-DD' date; throws RangeError if invalid. */
export function toDayNumber(date: string): number {
  if (!isValidDate(date)) throw new RangeError(`not a valid YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const t = new Date(0);
  t.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return Math.round(t.getTime() / MS_PER_DAY);
}

/** 'YYYY-MM-DD' of a day number. */
export function fromDayNumber(day: number): string {
  const t = new Date(day * MS_PER_DAY);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth() + 1;
  const d = t.getUTCDate();
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** `date` plus `n` calendar days (n may be negative), without any roll-forward. */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`not an integer number of days: ${n}`);
  return fromDayNumber(toDayNumber(date) + n);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return dayOfWeekOf(toDayNumber(date));
}

function dayOfWeekOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Saturday or Sunday: the weekly rest days of state agencies. */
export function isWeekend(date: string): boolean {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
}

export function yearOf(date: string): number {
  toDayNumber(date);
  return Number(date.slice(0, 4));
}

function compareDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = toDayNumber(from), end = toDayNumber(to); d <= end; d++) out.push(fromDayNumber(d));
  return out;
}

// ---------------------------------------------------------------------------
// Public holidays

/**
 * The public holidays of Labour Code 2019 Art. 112(1) (in force from 2021):
 * - `newYear`: Tết Dương lịch, 1/1;
 * - `tet`: Tết Âm lịch, 5 days;
 * - `hungKings`: Giỗ Tổ Hùng Vương, 10/3 lunar;
 * - `reunificationDay`: Ngày Chiến thắng, 30/4;
 * - `labourDay`: Ngày Quốc tế lao động, 1/5;
 * - `nationalDay`: Quốc khánh, 2/9 plus one adjacent day (before or after).
 * Labour Code 2012 Art. 115 (2013–2020) was the same except 2/9 alone.
 */
export type HolidayKey = 'newYear' | 'tet' | 'hungKings' | 'reunificationDay' | 'labourDay' | 'nationalDay';

export interface StatutoryHoliday {
  key: HolidayKey;
  date: string;
  name: string;
}

/**
 * What the Government actually decided for one holiday (or several adjacent
 * ones): the whole break as announced (weekend days inside it included), with
 * swapped days (ngày hoán đổi) and the Saturdays worked in exchange
 * (ngày làm bù). The decision replaces the statutory computation of the
 * holidays it `covers`.
 */
export interface HolidayDecision {
  covers: HolidayKey[];
  /** first day of the break, inclusive */
  from: string;
  /** last day of the break, inclusive */
  to: string;
  /** weekend days worked in exchange for a weekday inside the break */
  workingWeekends?: string[];
  note: string;
}

export interface YearDecisions {
  /** the decisions of this holiday year (a New Year break may start in the previous December) */
  decisions: HolidayDecision[];
  /** what the entries rest on */
  basis: string;
}

/**
 * The days off the Government actually decided (for civil servants and
 * public employees, i.e. state agencies — the Prime Minister's approval,
 * announced each year by MOLISA and, from March 2025, by the Ministry of Home
 * Affairs), keyed by holiday year. Only what is known with confidence is
 * listed; holidays of a listed year that are missing here, and every holiday
 * of unlisted years, are computed by the statutory rules ({@link
 * statutoryHolidays} plus nghỉ bù). Any year can be corrected by an admin with
 * `PUT /calendar/:year`, which replaces the whole year.
 *
 * Decision numbers are deliberately not given: they are not recorded here with
 * enough certainty to be cited.
 */
export const officialDecisions: Readonly<Record<number, YearDecisions>> = {
  2019: {
    basis: 'Government decisions for 2019 (Labour Code 2012)',
    decisions: [
      // Tuesday 1/1: Monday 31/12/2018 off, Saturday 5/1/2019 worked in exchange.
      { covers: ['newYear'], from: '2018-12-29', to: '2019-01-01', workingWeekends: ['2019-01-05'], note: 'New Year 2019: 29/12/2018–1/1/2019, Saturday 5/1 worked' },
      // Tết Kỷ Hợi (lunar 1/1 = Tuesday 5/2): 5 weekdays 4–8/2 plus two weekends, no swap.
      { covers: ['tet'], from: '2019-02-02', to: '2019-02-10', note: 'Tết 2019: 2/2–10/2' },
      // 10/3 lunar = Sunday 14/4: compensatory Monday 15/4.
      { covers: ['hungKings'], from: '2019-04-13', to: '2019-04-15', note: "Hùng Kings' day 2019: 13/4–15/4 (Sunday 14/4, nghỉ bù Monday 15/4)" },
      // 30/4 Tuesday, 1/5 Wednesday: Monday 29/4 off, Saturday 4/5 worked.
      { covers: ['reunificationDay', 'labourDay'], from: '2019-04-27', to: '2019-05-01', workingWeekends: ['2019-05-04'], note: '30/4–1/5 2019: 27/4–1/5, Saturday 4/5 worked' },
      // 2/9 Monday; Labour Code 2012: one day only.
      { covers: ['nationalDay'], from: '2019-08-31', to: '2019-09-02', note: 'National Day 2019: 31/8–2/9' },
    ],
  },
  2020: {
    basis: 'Government decisions for 2020 (Labour Code 2012)',
    decisions: [
      { covers: ['newYear'], from: '2020-01-01', to: '2020-01-01', note: 'New Year 2020: Wednesday 1/1' },
      // Tết Canh Tý (lunar 1/1 = Saturday 25/1): Thursday 23/1 (29 Tết) to Wednesday 29/1 (mùng 5).
      { covers: ['tet'], from: '2020-01-23', to: '2020-01-29', note: 'Tết 2020: 23/1–29/1' },
      { covers: ['hungKings'], from: '2020-04-02', to: '2020-04-02', note: "Hùng Kings' day 2020: Thursday 2/4" },
      { covers: ['reunificationDay', 'labourDay'], from: '2020-04-30', to: '2020-05-03', note: '30/4–1/5 2020: 30/4–3/5, no swap' },
      // Labour Code 2012: 2/9 only (the adjacent day starts in 2021).
      { covers: ['nationalDay'], from: '2020-09-02', to: '2020-09-02', note: 'National Day 2020: Wednesday 2/9 only' },
    ],
  },
  2021: {
    basis: 'Government decisions for 2021 (Labour Code 2019)',
    decisions: [
      { covers: ['newYear'], from: '2021-01-01', to: '2021-01-03', note: 'New Year 2021: 1/1–3/1' },
      // Tết Tân Sửu (lunar 1/1 = Friday 12/2): Wednesday 10/2 to Tuesday 16/2.
      { covers: ['tet'], from: '2021-02-10', to: '2021-02-16', note: 'Tết 2021: 10/2–16/2' },
      { covers: ['hungKings'], from: '2021-04-21', to: '2021-04-21', note: "Hùng Kings' day 2021: Wednesday 21/4" },
      // 1/5 Saturday: compensatory Monday 3/5.
      { covers: ['reunificationDay', 'labourDay'], from: '2021-04-30', to: '2021-05-03', note: '30/4–1/5 2021: 30/4–3/5' },
      // 2/9 Thursday with Friday 3/9.
      { covers: ['nationalDay'], from: '2021-09-02', to: '2021-09-05', note: 'National Day 2021: 2/9–3/9 (2/9–5/9)' },
    ],
  },
  2022: {
    basis: 'Government decisions for 2022 (Labour Code 2019)',
    decisions: [
      // 1/1 Saturday: compensatory Monday 3/1.
      { covers: ['newYear'], from: '2022-01-01', to: '2022-01-03', note: 'New Year 2022: 1/1–3/1' },
      // Tết Nhâm Dần (lunar 1/1 = Tuesday 1/2): 29/1–6/2, no swap.
      { covers: ['tet'], from: '2022-01-29', to: '2022-02-06', note: 'Tết 2022: 29/1–6/2' },
      // 10/3 lunar = Sunday 10/4: compensatory Monday 11/4.
      { covers: ['hungKings'], from: '2022-04-09', to: '2022-04-11', note: "Hùng Kings' day 2022: 9/4–11/4" },
      // 30/4 Saturday, 1/5 Sunday: compensatory 2/5 and 3/5.
      { covers: ['reunificationDay', 'labourDay'], from: '2022-04-30', to: '2022-05-03', note: '30/4–1/5 2022: 30/4–3/5' },
      // 2/9 Friday with Thursday 1/9.
      { covers: ['nationalDay'], from: '2022-09-01', to: '2022-09-04', note: 'National Day 2022: 1/9–4/9' },
    ],
  },
  2023: {
    basis: 'Government decisions for 2023 (Labour Code 2019)',
    decisions: [
      // 1/1 Sunday: compensatory Monday 2/1.
      { covers: ['newYear'], from: '2022-12-31', to: '2023-01-02', note: 'New Year 2023: 31/12/2022–2/1/2023' },
      // Tết Quý Mão (lunar 1/1 = Sunday 22/1): Friday 20/1 to Thursday 26/1.
      { covers: ['tet'], from: '2023-01-20', to: '2023-01-26', note: 'Tết 2023: 20/1–26/1' },
      // 10/3 lunar (after leap month 2) = Saturday 29/4, 30/4 Sunday, 1/5 Monday: compensatory 2/5 and 3/5.
      { covers: ['hungKings', 'reunificationDay', 'labourDay'], from: '2023-04-29', to: '2023-05-03', note: "Hùng Kings' day, 30/4, 1/5 2023: 29/4–3/5" },
      // 2/9 Saturday with Friday 1/9, compensatory Monday 4/9.
      { covers: ['nationalDay'], from: '2023-09-01', to: '2023-09-04', note: 'National Day 2023: 1/9–4/9' },
    ],
  },
  2024: {
    basis: 'Government decisions for 2024 (Labour Code 2019)',
    decisions: [
      { covers: ['newYear'], from: '2023-12-30', to: '2024-01-01', note: 'New Year 2024: 30/12/2023–1/1/2024' },
      // Tết Giáp Thìn (lunar 1/1 = Saturday 10/2): Thursday 8/2 to Wednesday 14/2.
      { covers: ['tet'], from: '2024-02-08', to: '2024-02-14', note: 'Tết 2024: 8/2–14/2' },
      { covers: ['hungKings'], from: '2024-04-18', to: '2024-04-18', note: "Hùng Kings' day 2024: Thursday 18/4" },
      // 30/4 Tuesday, 1/5 Wednesday: Monday 29/4 off, Saturday 4/5 worked.
      { covers: ['reunificationDay', 'labourDay'], from: '2024-04-27', to: '2024-05-01', workingWeekends: ['2024-05-04'], note: '30/4–1/5 2024: 27/4–1/5, Saturday 4/5 worked' },
      // 2/9 Monday with Tuesday 3/9.
      { covers: ['nationalDay'], from: '2024-08-31', to: '2024-09-03', note: 'National Day 2024: 31/8–3/9' },
    ],
  },
  2025: {
    basis: 'Government decisions for 2025 (Labour Code 2019)',
    decisions: [
      { covers: ['newYear'], from: '2025-01-01', to: '2025-01-01', note: 'New Year 2025: Wednesday 1/1' },
      // Tết Ất Tỵ (lunar 1/1 = Wednesday 29/1): 5 weekdays 27–31/1 plus two weekends, no swap.
      { covers: ['tet'], from: '2025-01-25', to: '2025-02-02', note: 'Tết 2025: 25/1–2/2' },
      { covers: ['hungKings'], from: '2025-04-05', to: '2025-04-07', note: "Hùng Kings' day 2025: Monday 7/4 (5/4–7/4)" },
      // 30/4 Wednesday, 1/5 Thursday: Friday 2/5 off, Saturday 26/4 worked.
      { covers: ['reunificationDay', 'labourDay'], from: '2025-04-30', to: '2025-05-04', workingWeekends: ['2025-04-26'], note: '30/4–1/5 2025: 30/4–4/5, Saturday 26/4 worked' },
      // 2/9 Tuesday with Monday 1/9.
      { covers: ['nationalDay'], from: '2025-08-30', to: '2025-09-02', note: 'National Day 2025: 1/9–2/9 (30/8–2/9)' },
    ],
  },
  2026: {
    // From the product's domain notes (shared/domain/README.md). New Year
    // (Thursday 1/1), Hùng Kings' day (Sunday 26/4 → nghỉ bù Monday 27/4) and
    // 30/4–1/5 (Thursday–Friday) are computed by the statutory rules: any swap
    // decided for them is not recorded here and must be entered with PUT.
    basis: 'Government decisions for 2026 (Tết, National Day)',
    decisions: [
      // Tết Bính Ngọ (lunar 1/1 = Tuesday 17/2): 5 weekdays 16–20/2 plus two weekends.
      { covers: ['tet'], from: '2026-02-14', to: '2026-02-22', note: 'Tết 2026: 14/2–22/2' },
      // 2/9 Wednesday with Tuesday 1/9; Monday 31/8 off, Saturday 22/8 worked.
      { covers: ['nationalDay'], from: '2026-08-29', to: '2026-09-02', workingWeekends: ['2026-08-22'], note: 'National Day 2026: 29/8–2/9, Saturday 22/8 worked' },
    ],
  },
  // 2027 and later: no decision known; statutory rules apply.
};

/**
 * The statutory holiday dates of `year` (before nghỉ bù), by the law in force:
 * - from 2021, Labour Code 2019 Art. 112(1): 11 days;
 * - 2013–2020, Labour Code 2012 Art. 115(1): 10 days (2/9 alone);
 * - 2007–2012, Labour Code 1994 Art. 73 as amended in 2007: 9 days (Tết 4 days);
 * - before 2007, an approximation: as 2007–2012 without Hùng Kings' day.
 *
 * Tết: the law fixes only the number of days; the Government places them each
 * year, usually as 5 weekdays around lunar new year with the weekends between
 * them (see {@link officialDecisions}). The DEFAULT here is the last day of the
 * lunar year (30, or 29 when the last month is short) plus lunar days 1–4
 * (1–3 before 2013); a Tết day on a weekend gets nghỉ bù like any holiday.
 * The yearly decision overrides it: entered in {@link officialDecisions} or
 * through `PUT /calendar/:year`.
 *
 * National Day: the adjacent day is decided each year (2021: 3/9; 2022–2026:
 * 1/9). DEFAULT: 3/9 when 2/9 is a Thursday (so the break joins the weekend,
 * as in 2021), otherwise 1/9 — which reproduces every decision of 2021–2025.
 */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  const y = String(year).padStart(4, '0');
  const out: StatutoryHoliday[] = [{ key: 'newYear', date: `${y}-01-01`, name: 'Tết Dương lịch' }];

  const newYearDay = lunarNewYear(year);
  const tetDays = year >= 2013 ? 4 : 3; // lunar days 1..tetDays, plus the last day of the lunar year
  for (let i = -1; i < tetDays; i++) {
    out.push({ key: 'tet', date: addDays(newYearDay, i), name: i < 0 ? 'Tết Âm lịch (last day of the lunar year)' : `Tết Âm lịch (mùng ${i + 1})` });
  }

  if (year >= 2007) out.push({ key: 'hungKings', date: hungKingsDay(year), name: 'Giỗ Tổ Hùng Vương (10/3 lunar)' });
  out.push({ key: 'reunificationDay', date: `${y}-04-30`, name: 'Ngày Chiến thắng (30/4)' });
  out.push({ key: 'labourDay', date: `${y}-05-01`, name: 'Ngày Quốc tế lao động (1/5)' });
  out.push({ key: 'nationalDay', date: `${y}-09-02`, name: 'Quốc khánh (2/9)' });
  if (year >= 2021) {
    const adjacent = dayOfWeek(`${y}-09-02`) === 4 ? `${y}-09-03` : `${y}-09-01`;
    out.push({ key: 'nationalDay', date: adjacent, name: 'Quốc khánh (adjacent day)' });
  }
  return out.sort((a, b) => compareDates(a.date, b.date));
}

interface Arrangement {
  daysOff: Set<string>;
  workingWeekends: Set<string>;
  /** per date, what put it there (for `source`) */
  origin: Map<string, string>;
}

const STATUTORY = 'statutory rules';

/**
 * The days off and make-up days of one holiday year: the decisions recorded
 * for it, and for the other holidays the statutory dates plus nghỉ bù (Labour
 * Code 2019 Art. 111(3), 2012 Art. 110(3): a holiday on a weekly rest day
 * gives a day off on the next working day). Dates may fall in the previous
 * calendar year (a New Year break starting in December).
 */
function holidayArrangement(holidayYear: number): Arrangement {
  const daysOff = new Set<string>();
  const workingWeekends = new Set<string>();
  const origin = new Map<string, string>();
  const decided = officialDecisions[holidayYear];
  const covered = new Set<HolidayKey>();

  for (const decision of decided?.decisions ?? []) {
    for (const key of decision.covers) covered.add(key);
    for (const date of dateRange(decision.from, decision.to)) {
      daysOff.add(date);
      origin.set(date, decided?.basis ?? STATUTORY);
    }
    for (const date of decision.workingWeekends ?? []) {
      workingWeekends.add(date);
      origin.set(date, decided?.basis ?? STATUTORY);
    }
  }

  const statutory = statutoryHolidays(holidayYear).filter((h) => !covered.has(h.key));
  for (const h of statutory) {
    daysOff.add(h.date);
    origin.set(h.date, STATUTORY);
  }
  // nghỉ bù, in date order, each on the next day that is still a working day
  for (const h of statutory) {
    if (!isWeekend(h.date)) continue;
    let d = toDayNumber(h.date) + 1;
    for (;;) {
      const date = fromDayNumber(d);
      const working = (!isWeekend(date) || workingWeekends.has(date)) && !daysOff.has(date);
      if (working) {
        daysOff.add(date);
        origin.set(date, STATUTORY);
        break;
      }
      d++;
    }
  }
  return { daysOff, workingWeekends, origin };
}

/**
 * Vietnam's default working-day calendar of `year` for state agencies: the
 * Government's decisions where recorded ({@link officialDecisions}, 2019–2026),
 * otherwise the statutory holidays with nghỉ bù. Also includes days of the
 * next year's New Year break that fall in this December.
 */
export function defaultCalendar(year: number): YearCalendar {
  if (!Number.isInteger(year)) throw new RangeError(`not a year: ${year}`);
  const daysOff = new Set<string>();
  const workingWeekends = new Set<string>();
  const origins = new Set<string>();
  const prefix = `${String(year).padStart(4, '0')}-`;
  for (const hy of [year - 1, year, year + 1]) {
    const a = holidayArrangement(hy);
    for (const d of a.daysOff) {
      if (d.startsWith(prefix)) {
        daysOff.add(d);
        origins.add(a.origin.get(d) ?? STATUTORY);
      }
    }
    for (const d of a.workingWeekends) {
      if (d.startsWith(prefix)) {
        workingWeekends.add(d);
        origins.add(a.origin.get(d) ?? STATUTORY);
      }
    }
  }
  for (const d of workingWeekends) daysOff.delete(d);
  const law = year >= 2021 ? 'Labour Code 2019 Art. 111–112' : year >= 2013 ? 'Labour Code 2012 Art. 110, 115' : 'Labour Code 1994 Art. 73, approximate';
  const parts = [...origins].filter((o) => o !== STATUTORY).sort();
  if (origins.has(STATUTORY)) {
    parts.push(
      parts.length
        ? `${STATUTORY} (${law}) for the other holidays`
        : `${STATUTORY} (${law}); Tết and the 2/9 adjacent day placed by default, pending the Government's decision`,
    );
  }
  return {
    year,
    daysOff: [...daysOff].sort(),
    workingWeekends: [...workingWeekends].sort(),
    source: parts.join('; ') || `${STATUTORY} (${law})`,
  };
}

const defaultCache = new Map<number, YearCalendar>();

/** {@link defaultCalendar}, memoised. Treat the returned calendars as read-only. */
export const defaultCalendarLookup: CalendarLookup = (year) => {
  let cal = defaultCache.get(year);
  if (!cal) {
    cal = defaultCalendar(year);
    defaultCache.set(year, cal);
  }
  return cal;
};

/**
 * A lookup from stored calendars (e.g. rows written by `PUT /calendar/:year`),
 * falling back to {@link defaultCalendarLookup} for the years not stored.
 */
export function calendarLookup(
  stored: Iterable<YearCalendar> | ((year: number) => YearCalendar | undefined),
  fallback: CalendarLookup = defaultCalendarLookup,
): CalendarLookup {
  if (typeof stored === 'function') return (year) => stored(year) ?? fallback(year);
  const byYear = new Map<number, YearCalendar>();
  for (const cal of stored) byYear.set(cal.year, cal);
  return (year) => byYear.get(year) ?? fallback(year);
}

// ---------------------------------------------------------------------------
// Working days and deadlines

interface YearIndex {
  off: Set<string>;
  work: Set<string>;
}

const indexCache = new WeakMap<YearCalendar, YearIndex>();

function indexOf(cal: YearCalendar): YearIndex {
  let idx = indexCache.get(cal);
  if (!idx) {
    idx = { off: new Set(cal.daysOff), work: new Set(cal.workingWeekends) };
    indexCache.set(cal, idx);
  }
  return idx;
}

function asLookup(cal: YearCalendar | CalendarLookup): CalendarLookup {
  if (typeof cal === 'function') return cal;
  return (year) => {
    if (year !== cal.year) throw new RangeError(`the calendar of ${cal.year} was given for a date in ${year}: pass a CalendarLookup`);
    return cal;
  };
}

/** A per-call predicate on day numbers, asking the lookup once per year. */
function workingDayTest(lookup: CalendarLookup): (day: number) => boolean {
  const years = new Map<number, YearIndex>();
  return (day) => {
    const date = fromDayNumber(day);
    const year = Number(date.slice(0, 4));
    let idx = years.get(year);
    if (!idx) {
      const cal = lookup(year);
      if (cal.year !== year) throw new RangeError(`lookup(${year}) returned the calendar of ${cal.year}`);
      idx = indexOf(cal);
      years.set(year, idx);
    }
    if (idx.off.has(date)) return false;
    const dow = dayOfWeekOf(day);
    return (dow !== 0 && dow !== 6) || idx.work.has(date);
  };
}

/** No calendar has a year without working days; give up past ten years of days off. */
const MAX_SCAN_DAYS = 3660;

/** Monday–Friday plus workingWeekends, minus daysOff. */
export function isWorkingDay(date: string, cal: YearCalendar | CalendarLookup): boolean {
  return workingDayTest(asLookup(cal))(toDayNumber(date));
}

/**
 * Civil Code 2015 Art. 148(2): a deadline on a weekly rest day or holiday
 * moves to the next working day. A working day is returned unchanged.
 */
export function rollForwardToWorkingDay(date: string, lookup: CalendarLookup | YearCalendar): string {
  const working = workingDayTest(asLookup(lookup));
  const start = toDayNumber(date);
  for (let d = start; d <= start + MAX_SCAN_DAYS; d++) {
    if (working(d)) return fromDayNumber(d);
  }
  throw new RangeError(`no working day within ${MAX_SCAN_DAYS} days after ${date}`);
}

/**
 * The day on which a period of `n` working days starting on `start` ends (at
 * 24:00): the start day is not counted (Civil Code 2015 Art. 147(1)), so this
 * is the n-th working day after `start`. `n = 0` returns `start`; a negative
 * `n` counts working days backwards (the |n|-th working day before `start`),
 * e.g. for reminders.
 */
export function addWorkingDays(start: string, n: number, lookup: CalendarLookup | YearCalendar): string {
  if (!Number.isInteger(n)) throw new RangeError(`not an integer number of working days: ${n}`);
  const working = workingDayTest(asLookup(lookup));
  const step = n < 0 ? -1 : 1;
  let remaining = Math.abs(n);
  let d = toDayNumber(start);
  let sinceLastWorkingDay = 0;
  while (remaining > 0) {
    d += step;
    if (working(d)) {
      remaining--;
      sinceLastWorkingDay = 0;
    } else if (++sinceLastWorkingDay > MAX_SCAN_DAYS) {
      throw new RangeError(`no working day within ${MAX_SCAN_DAYS} days of ${fromDayNumber(d)}`);
    }
  }
  return fromDayNumber(d);
}

/**
 * The day on which a period of `n` calendar days starting on `start` ends:
 * the start day is not counted (Art. 147(1)), so `start + n`, moved to the
 * next working day if it is a day off (Art. 148(2)). `n` must be ≥ 0.
 */
export function addCalendarDays(start: string, n: number, lookup: CalendarLookup | YearCalendar): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a non-negative integer number of days: ${n}`);
  return rollForwardToWorkingDay(addDays(start, n), lookup);
}

/**
 * The number of working days in (a, b] — exclusive of `a`, inclusive of `b` —
 * or minus the number in (b, a] when b < a. So
 * `workingDaysBetween(a, addWorkingDays(a, n)) === n`; e.g. the working days a
 * deadline `a` is overdue on day `b`.
 */
export function workingDaysBetween(a: string, b: string, lookup: CalendarLookup | YearCalendar): number {
  const working = workingDayTest(asLookup(lookup));
  const da = toDayNumber(a);
  const db = toDayNumber(b);
  const [lo, hi, sign] = da <= db ? [da, db, 1] : [db, da, -1];
  let count = 0;
  for (let d = lo + 1; d <= hi; d++) if (working(d)) count++;
  return sign * count;
}

// ---------------------------------------------------------------------------
// Validation (PUT /calendar/:year)

const isoDateSchema = z
  .string()
  .regex(ISO_DATE, 'expected a date YYYY-MM-DD')
  .refine(isValidDate, { message: 'not a valid calendar date' });

const calendarFields = {
  daysOff: z.array(isoDateSchema).max(366),
  workingWeekends: z.array(isoDateSchema).max(106),
  source: z.string().trim().min(1).max(500).optional(),
};

/**
 * A year's calendar as stored and as returned by `GET /calendar/:year`:
 * year 1900–2200; every date valid and in that year; workingWeekends only
 * Saturdays and Sundays; no date both a day off and a working weekend day.
 * Order and duplicates are tolerated: {@link validateYearCalendar} returns the
 * calendar sorted and deduplicated.
 */
export const yearCalendarSchema = z
  .object({
    year: z.number().int().min(1900).max(2200),
    ...calendarFields,
  })
  .superRefine((cal, ctx) => {
    const prefix = `${String(cal.year).padStart(4, '0')}-`;
    const off = new Set<string>();
    cal.daysOff.forEach((date, i) => {
      off.add(date);
      if (isValidDate(date) && !date.startsWith(prefix)) {
        ctx.addIssue({ code: 'custom', path: ['daysOff', i], message: `${date} is not in ${cal.year}` });
      }
    });
    cal.workingWeekends.forEach((date, i) => {
      if (!isValidDate(date)) return;
      if (!date.startsWith(prefix)) {
        ctx.addIssue({ code: 'custom', path: ['workingWeekends', i], message: `${date} is not in ${cal.year}` });
      }
      if (!isWeekend(date)) {
        ctx.addIssue({ code: 'custom', path: ['workingWeekends', i], message: `${date} is not a Saturday or Sunday` });
      }
      if (off.has(date)) {
        ctx.addIssue({ code: 'custom', path: ['workingWeekends', i], message: `${date} is also in daysOff` });
      }
    });
  });

/**
 * The body of `PUT /calendar/:year` (the year comes from the path; a `year`
 * in the body, if any, must match it). Structure only: check the whole with
 * `validateYearCalendar({ ...body, year })`.
 */
export const yearCalendarBodySchema = z.object({
  year: z.number().int().optional(),
  ...calendarFields,
});

export interface CalendarIssue {
  path: string;
  message: string;
}

export type CalendarValidation = { ok: true; value: YearCalendar } | { ok: false; issues: CalendarIssue[] };

/** Sorted, deduplicated copy. */
export function normalizeYearCalendar(cal: YearCalendar): YearCalendar {
  const out: YearCalendar = {
    year: cal.year,
    daysOff: [...new Set(cal.daysOff)].sort(),
    workingWeekends: [...new Set(cal.workingWeekends)].sort(),
  };
  if (cal.source !== undefined) out.source = cal.source;
  return out;
}

/**
 * Validates with {@link yearCalendarSchema}; returns the calendar normalised
 * (sorted, unique) or the issues as `{path, message}` (path like
 * `daysOff.2`), ready for a 400 problem response.
 */
export function validateYearCalendar(input: unknown): CalendarValidation {
  const parsed = yearCalendarSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    };
  }
  return { ok: true, value: normalizeYearCalendar(parsed.data) };
}
