import { describe, expect, it } from 'vitest';
import { dateIn, endOfDay, isTimeZone, isoDate } from '../../machines/shared/dates.js';

describe('endOfDay', () => {
  it('is the first instant of the next day in the zone', () => {
    expect(endOfDay('2020-07-15', 'Asia/Ho_Chi_Minh')).toBe('2020-07-15T17:00:00.000Z');
    expect(endOfDay('2020-12-31', 'Asia/Ho_Chi_Minh')).toBe('2020-12-31T17:00:00.000Z');
    expect(endOfDay('2020-02-29', 'UTC')).toBe('2020-03-01T00:00:00.000Z');
    expect(endOfDay('2020-07-15', 'Pacific/Kiritimati')).toBe('2020-07-15T10:00:00.000Z');
    expect(endOfDay('2020-07-15', 'America/St_Johns')).toBe('2020-07-16T02:30:00.000Z');
  });

  it('follows daylight saving time on both sides of a change', () => {
    // New York: clocks go forward on 10 March 2024 and back on 3 November 2024, at 02:00.
    expect(endOfDay('2024-03-09', 'America/New_York')).toBe('2024-03-10T05:00:00.000Z');
    expect(endOfDay('2024-03-10', 'America/New_York')).toBe('2024-03-11T04:00:00.000Z');
    expect(endOfDay('2024-11-02', 'America/New_York')).toBe('2024-11-03T04:00:00.000Z');
    expect(endOfDay('2024-11-03', 'America/New_York')).toBe('2024-11-04T05:00:00.000Z');
    expect(endOfDay('2024-03-31', 'Europe/London')).toBe('2024-03-31T23:00:00.000Z');
  });

  it('starts the next day at the jump when midnight does not exist', () => {
    // Santiago skipped from 00:00 to 01:00 on 11 September 2022.
    expect(endOfDay('2022-09-10', 'America/Santiago')).toBe('2022-09-11T04:00:00.000Z');
    // Samoa skipped 30 December 2011 entirely.
    expect(endOfDay('2011-12-29', 'Pacific/Apia')).toBe('2011-12-30T10:00:00.000Z');
  });

  it('refuses a date that does not exist', () => {
    expect(() => endOfDay('2020-02-30', 'UTC')).toThrow(RangeError);
  });
});

describe('isoDate', () => {
  it.each(['2020-02-29', '2020-07-15', '1999-12-31'])('accepts %s', (date) => {
    expect(isoDate.safeParse(date).success).toBe(true);
  });
  it.each(['2020-02-30', '2021-02-29', '2020-13-01', '2020-00-10', '2020-7-15', '20200715', '', '2020-07-15T00:00:00Z'])(
    'rejects %j',
    (date) => {
      expect(isoDate.safeParse(date).success).toBe(false);
    },
  );
  it('rejects non-strings', () => {
    expect(isoDate.safeParse(20200715).success).toBe(false);
  });
});

describe('time zones', () => {
  it('knows IANA names', () => {
    expect(isTimeZone('Asia/Ho_Chi_Minh')).toBe(true);
    expect(isTimeZone('Asia/Saigon')).toBe(true);
    expect(isTimeZone('Nowhere/Land')).toBe(false);
  });

  it('dateIn gives the calendar date of an instant in a zone', () => {
    expect(dateIn('2020-07-15T16:59:59.000Z', 'Asia/Ho_Chi_Minh')).toBe('2020-07-15');
    expect(dateIn('2020-07-15T17:00:00.000Z', 'Asia/Ho_Chi_Minh')).toBe('2020-07-16');
  });
});
