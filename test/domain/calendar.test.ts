import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addDays,
  addWorkingDays,
  calendarLookup,
  dayOfWeek,
  defaultCalendar,
  defaultCalendarLookup as lookup,
  isWorkingDay,
  officialDecisions,
  rollForwardToWorkingDay,
  statutoryHolidays,
  validateYearCalendar,
  workingDaysBetween,
  yearCalendarSchema,
  type YearCalendar,
} from '../../src/domain/calendar.js';

function range(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

const off = (date: string) => !isWorkingDay(date, lookup);

describe('date helpers', () => {
  it('are time-zone proof and handle leap years', () => {
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    expect(addDays('2021-02-28', 1)).toBe('2021-03-01');
    expect(addDays('2019-12-31', 1)).toBe('2020-01-01');
    expect(addDays('2020-01-01', -1)).toBe('2019-12-31');
    expect(dayOfWeek('2020-08-15')).toBe(6);
    expect(dayOfWeek('2026-02-17')).toBe(2);
    expect(() => addDays('2021-02-29', 1)).toThrow(RangeError);
  });
});

describe('defaultCalendar', () => {
  it('is sorted, unique, self-consistent and valid for 1990–2100', () => {
    for (let year = 1990; year <= 2100; year++) {
      const cal = defaultCalendar(year);
      expect(cal.year).toBe(year);
      expect(cal.daysOff).toEqual([...new Set(cal.daysOff)].sort());
      expect(cal.workingWeekends).toEqual([...new Set(cal.workingWeekends)].sort());
      expect(validateYearCalendar(cal)).toEqual({ ok: true, value: cal });
      expect(cal.source).toBeTruthy();
    }
  });

  it('every year from 2019 to 2026 comes from recorded decisions', () => {
    for (let year = 2019; year <= 2026; year++) {
      expect(officialDecisions[year]).toBeDefined();
      expect(defaultCalendar(year).source).toMatch(/Government decision/);
    }
    expect(defaultCalendar(2019).source).not.toMatch(/statutory/);
    expect(defaultCalendar(2026).source).toMatch(/statutory rules/);
    expect(defaultCalendar(2027).source).toMatch(/^statutory rules/);
  });

  it('1/1 each year from 2019 to 2027 is a day off', () => {
    for (let year = 2019; year <= 2027; year++) expect(off(`${year}-01-01`)).toBe(true);
  });

  it('2019: Tết 2–10/2, 30/4 swap with Saturday 4/5, New Year swap 31/12/2018 ↔ 5/1/2019', () => {
    for (const d of range('2019-02-02', '2019-02-10')) expect(off(d)).toBe(true);
    expect(off('2019-02-11')).toBe(false);
    expect(off('2018-12-31')).toBe(true);
    expect(isWorkingDay('2019-01-05', lookup)).toBe(true);
    expect(off('2019-04-15')).toBe(true); // nghỉ bù for Sunday 14/4
    for (const d of range('2019-04-27', '2019-05-01')) expect(off(d)).toBe(true);
    expect(isWorkingDay('2019-05-04', lookup)).toBe(true);
    // Labour Code 2012: 2/9 only
    expect(off('2019-09-02')).toBe(true);
    expect(off('2019-09-03')).toBe(false);
  });

  it('2020: Tết 23–29/1 off, 30/1 back to work; 2/9 alone', () => {
    expect(off('2020-01-22')).toBe(false);
    for (const d of range('2020-01-23', '2020-01-29')) expect(off(d)).toBe(true);
    expect(off('2020-01-30')).toBe(false);
    expect(off('2020-04-02')).toBe(true); // Hùng Kings
    for (const d of range('2020-04-30', '2020-05-03')) expect(off(d)).toBe(true);
    expect(off('2020-09-01')).toBe(false);
    expect(off('2020-09-02')).toBe(true);
    expect(off('2020-09-03')).toBe(false);
  });

  it('2025: Tết 25/1–2/2, 30/4–4/5 off with Saturday 26/4 worked, 30/8–2/9 off', () => {
    for (const d of range('2025-01-25', '2025-02-02')) expect(off(d)).toBe(true);
    expect(off('2025-02-03')).toBe(false);
    expect(off('2025-04-07')).toBe(true); // Hùng Kings
    expect(isWorkingDay('2025-04-26', lookup)).toBe(true);
    expect(dayOfWeek('2025-04-26')).toBe(6);
    for (const d of range('2025-04-30', '2025-05-04')) expect(off(d)).toBe(true);
    expect(off('2025-05-05')).toBe(false);
    for (const d of range('2025-08-30', '2025-09-02')) expect(off(d)).toBe(true);
    expect(off('2025-09-03')).toBe(false);
  });

  it('2026: Tết 14–22/2, 29/8–2/9 off with Saturday 22/8 worked', () => {
    expect(off('2026-02-13')).toBe(false);
    for (const d of range('2026-02-14', '2026-02-22')) expect(off(d)).toBe(true);
    expect(off('2026-02-23')).toBe(false);
    // Hùng Kings' day on Sunday 26/4 → nghỉ bù Monday 27/4 (statutory)
    expect(off('2026-04-26')).toBe(true);
    expect(off('2026-04-27')).toBe(true);
    expect(off('2026-04-28')).toBe(false);
    for (const d of range('2026-04-30', '2026-05-03')) expect(off(d)).toBe(true);
    expect(off('2026-05-04')).toBe(false);
    expect(isWorkingDay('2026-08-22', lookup)).toBe(true);
    for (const d of range('2026-08-29', '2026-09-02')) expect(off(d)).toBe(true);
    expect(off('2026-09-03')).toBe(false);
  });

  it('2/9 comes with an adjacent day from 2021 on', () => {
    const pairs: Record<number, string> = {
      2021: '2021-09-03',
      2022: '2022-09-01',
      2023: '2023-09-01',
      2024: '2024-09-03',
      2025: '2025-09-01',
      2026: '2026-09-01',
      2027: '2027-09-03',
    };
    for (const [year, adjacent] of Object.entries(pairs)) {
      expect(off(`${year}-09-02`)).toBe(true);
      expect(off(adjacent)).toBe(true);
    }
  });

  it('each year 2020–2040 gives the statutory number of weekdays off, net of make-up days', () => {
    for (let year = 2020; year <= 2040; year++) {
      const cal = defaultCalendar(year);
      const weekdaysOff = cal.daysOff.filter((d) => dayOfWeek(d) !== 0 && dayOfWeek(d) !== 6).length;
      // 2023 and 2024: the next New Year's break starts on a weekend day in December — nothing to count
      expect(weekdaysOff - cal.workingWeekends.length, String(year)).toBe(year >= 2021 ? 11 : 10);
    }
    // 2019 gave Monday 31/12/2018 off for New Year 2019
    const c2019 = defaultCalendar(2019);
    const weekdays2019 = c2019.daysOff.filter((d) => dayOfWeek(d) !== 0 && dayOfWeek(d) !== 6).length;
    expect(weekdays2019 + 1 - c2019.workingWeekends.length).toBe(10);
  });

  it('statutory defaults for 2027: Tết = last day of the year + mùng 1–4, nghỉ bù for the weekend', () => {
    expect(statutoryHolidays(2027).filter((h) => h.key === 'tet').map((h) => h.date)).toEqual([
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-02-09',
    ]);
    const cal = defaultCalendar(2027);
    for (const d of range('2027-02-05', '2027-02-11')) expect(cal.daysOff).toContain(d);
    expect(cal.daysOff).not.toContain('2027-02-12');
    // 1/5 on Saturday → Monday 3/5
    expect(cal.daysOff).toContain('2027-05-03');
    expect(cal.workingWeekends).toEqual([]);
  });

  it('statutory holidays follow the law in force', () => {
    expect(statutoryHolidays(2020)).toHaveLength(10);
    expect(statutoryHolidays(2021)).toHaveLength(11);
    expect(statutoryHolidays(2010)).toHaveLength(9);
  });
});

describe('working days and Civil Code deadlines', () => {
  it('rolls a deadline on a day off forward to the next working day (Art. 148(2))', () => {
    expect(rollForwardToWorkingDay('2020-08-15', lookup)).toBe('2020-08-17'); // Saturday → Monday
    expect(rollForwardToWorkingDay('2020-08-17', lookup)).toBe('2020-08-17');
    expect(rollForwardToWorkingDay('2026-02-14', lookup)).toBe('2026-02-23');
    expect(rollForwardToWorkingDay('2025-04-30', lookup)).toBe('2025-05-05');
    expect(rollForwardToWorkingDay('2018-12-29', lookup)).toBe('2019-01-02'); // crosses the year
  });

  it('counts working days without the start day, across Tết', () => {
    // Friday 17/1/2020: 20, 21, 22 Jan, then Tết 23–29, then 30, 31 Jan
    expect(addWorkingDays('2020-01-17', 5, lookup)).toBe('2020-01-31');
    expect(addWorkingDays('2020-01-17', 0, lookup)).toBe('2020-01-17');
    expect(addWorkingDays('2020-01-17', 1, lookup)).toBe('2020-01-20');
    expect(addWorkingDays('2020-01-31', -5, lookup)).toBe('2020-01-17');
  });

  it('15 working days (Circular 02/2017/TT-VPCP Art. 46 conclusion notice)', () => {
    // visit ends Tuesday 22/4/2025: Saturday 26/4 is worked, 30/4–4/5 off
    expect(addWorkingDays('2025-04-22', 15, lookup)).toBe('2025-05-15');
    // across Tết 2026
    expect(addWorkingDays('2026-02-10', 15, lookup)).toBe('2026-03-10');
    // across National Day 2026 with the make-up Saturday 22/8
    expect(addWorkingDays('2026-08-20', 15, lookup)).toBe('2026-09-14');
    // across the New Year: 2018 and 2019 calendars both used
    expect(addWorkingDays('2018-12-20', 15, lookup)).toBe('2019-01-11');
    // an ordinary period
    expect(addWorkingDays('2020-08-03', 15, lookup)).toBe('2020-08-24');
  });

  it('adds calendar days without the start day, then rolls forward (Art. 147–148)', () => {
    // 15 days after Thursday 31/7/2020 is Saturday 15/8 → Monday 17/8
    expect(addCalendarDays('2020-07-31', 15, lookup)).toBe('2020-08-17');
    expect(addCalendarDays('2020-08-03', 15, lookup)).toBe('2020-08-18');
    expect(addCalendarDays('2026-02-05', 15, lookup)).toBe('2026-02-23');
    expect(addCalendarDays('2025-12-20', 12, lookup)).toBe('2026-01-02'); // 1/1/2026 off
    expect(() => addCalendarDays('2025-12-20', -1, lookup)).toThrow(RangeError);
  });

  it('workingDaysBetween is exclusive of a, inclusive of b, and inverts addWorkingDays', () => {
    expect(workingDaysBetween('2020-01-17', '2020-01-31', lookup)).toBe(5);
    expect(workingDaysBetween('2020-01-31', '2020-01-17', lookup)).toBe(-5);
    expect(workingDaysBetween('2020-01-17', '2020-01-17', lookup)).toBe(0);
    expect(workingDaysBetween('2020-08-14', '2020-08-16', lookup)).toBe(0);
    for (const start of ['2019-12-27', '2020-01-17', '2025-04-22', '2026-08-20', '2026-12-28']) {
      for (const n of [1, 3, 15, 40]) {
        expect(workingDaysBetween(start, addWorkingDays(start, n, lookup), lookup)).toBe(n);
      }
    }
  });

  it('uses the right year for each date', () => {
    const custom: YearCalendar = { year: 2030, daysOff: ['2030-01-02'], workingWeekends: ['2030-01-05'] };
    const l = calendarLookup([custom]);
    expect(isWorkingDay('2030-01-02', l)).toBe(false);
    expect(isWorkingDay('2030-01-05', l)).toBe(true);
    expect(isWorkingDay('2029-12-31', l)).toBe(true); // 2029 from the defaults
    expect(addWorkingDays('2029-12-31', 2, l)).toBe('2030-01-03');
    expect(isWorkingDay('2030-01-02', custom)).toBe(false);
    expect(() => isWorkingDay('2029-12-31', custom)).toThrow(RangeError);
  });
});

describe('yearCalendarSchema / validateYearCalendar', () => {
  const good = { year: 2026, daysOff: ['2026-02-16', '2026-01-01', '2026-01-01'], workingWeekends: ['2026-08-22'], source: 'admin' };

  it('accepts a good calendar and normalises it', () => {
    expect(validateYearCalendar(good)).toEqual({
      ok: true,
      value: { year: 2026, daysOff: ['2026-01-01', '2026-02-16'], workingWeekends: ['2026-08-22'], source: 'admin' },
    });
    expect(yearCalendarSchema.safeParse(good).success).toBe(true);
  });

  it.each([
    ['year out of range', { ...good, year: 1899, daysOff: [], workingWeekends: [] }, 'year'],
    ['year not an integer', { ...good, year: 2026.5 }, 'year'],
    ['bad date format', { ...good, daysOff: ['2026-1-1'] }, 'daysOff.0'],
    ['impossible date', { ...good, daysOff: ['2026-02-30'] }, 'daysOff.0'],
    ['date in another year', { ...good, daysOff: ['2025-12-31'] }, 'daysOff.0'],
    ['working weekend on a weekday', { ...good, workingWeekends: ['2026-08-21'] }, 'workingWeekends.0'],
    ['working weekend in another year', { ...good, workingWeekends: ['2027-01-02'] }, 'workingWeekends.0'],
    ['date both off and worked', { ...good, daysOff: ['2026-08-22'], workingWeekends: ['2026-08-22'] }, 'workingWeekends.0'],
    ['missing list', { year: 2026, daysOff: [] }, 'workingWeekends'],
    ['not a string', { ...good, daysOff: [20260101] }, 'daysOff.0'],
  ])('rejects %s', (_name, input, path) => {
    const result = validateYearCalendar(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
    expect(yearCalendarSchema.safeParse(input).success).toBe(false);
  });
});
