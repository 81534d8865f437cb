import { describe, expect, it } from 'vitest';
import { hungKingsDay, leapMonthOf, lunarNewYear, lunarToSolar, solarToLunar } from '../../src/domain/lunar.js';

describe('Vietnamese lunar calendar (Hồ Ngọc Đức, UTC+7)', () => {
  it.each([
    [2019, '2019-02-05'],
    [2020, '2020-01-25'],
    [2021, '2021-02-12'],
    [2022, '2022-02-01'],
    [2023, '2023-01-22'],
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
  ])('Tết %i is %s', (year, date) => {
    expect(lunarNewYear(year)).toBe(date);
    expect(solarToLunar(date)).toEqual({ day: 1, month: 1, year, leap: false });
  });

  it('differs from the Chinese calendar (UTC+8) where Vietnam uses UTC+7', () => {
    expect(lunarNewYear(1985)).toBe('1985-01-21');
    expect(lunarNewYear(1985, 8)).toBe('1985-02-20');
    expect(lunarNewYear(2007)).toBe('2007-02-17');
    expect(lunarNewYear(2007, 8)).toBe('2007-02-18');
    expect(lunarNewYear(2030)).toBe('2030-02-02');
    expect(lunarNewYear(2030, 8)).toBe('2030-02-03');
    // same elsewhere
    expect(lunarNewYear(2024, 8)).toBe('2024-02-10');
  });

  it.each([
    [2019, '2019-04-14'],
    [2020, '2020-04-02'],
    [2021, '2021-04-21'],
    [2022, '2022-04-10'],
    [2023, '2023-04-29'],
    [2024, '2024-04-18'],
    [2025, '2025-04-07'],
    [2026, '2026-04-26'],
  ])("Hùng Kings' day (10/3 lunar) %i is %s", (year, date) => {
    expect(hungKingsDay(year)).toBe(date);
  });

  it('knows leap months', () => {
    expect(leapMonthOf(2020)).toBe(4);
    expect(leapMonthOf(2023)).toBe(2);
    expect(leapMonthOf(2025)).toBe(6);
    expect(leapMonthOf(2024)).toBe(0);
    expect(leapMonthOf(2026)).toBe(0);
    expect(solarToLunar('2023-03-22')).toEqual({ day: 1, month: 2, year: 2023, leap: true });
    expect(lunarToSolar({ day: 1, month: 2, year: 2023, leap: true })).toBe('2023-03-22');
    expect(lunarToSolar({ day: 1, month: 2, year: 2023 })).toBe('2023-02-20');
  });

  it('rejects lunar dates that do not exist', () => {
    expect(() => lunarToSolar({ day: 1, month: 3, year: 2023, leap: true })).toThrow(RangeError);
    expect(() => lunarToSolar({ day: 1, month: 5, year: 2024, leap: true })).toThrow(RangeError);
    expect(() => lunarToSolar({ day: 31, month: 1, year: 2024 })).toThrow(RangeError);
    // tháng Chạp of Giáp Thìn (2024–25) has 29 days: Tết 2025 follows 29 Chạp
    expect(solarToLunar('2025-01-28')).toEqual({ day: 29, month: 12, year: 2024, leap: false });
    expect(() => lunarToSolar({ day: 30, month: 12, year: 2024 })).toThrow(RangeError);
    expect(() => solarToLunar('2025-02-30')).toThrow(RangeError);
  });

  it('round-trips every day of 2019–2027', () => {
    const start = Date.UTC(2019, 0, 1);
    const end = Date.UTC(2027, 11, 31);
    for (let t = start; t <= end; t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      const l = solarToLunar(iso);
      expect(lunarToSolar(l)).toBe(iso);
    }
  });
});
