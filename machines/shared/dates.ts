import { z } from 'zod';

/**
 * The years a date may fall in. PostgreSQL has no year 0 (storing one fails),
 * and JavaScript's Date.UTC reads years 0–99 as 1900–1999; inspections,
 * deadlines and unit validity all fall well inside.
 */
export const MIN_DATE = '1900-01-01';
export const MAX_DATE = '2199-12-31';

/**
 * A calendar date `YYYY-MM-DD` from 1900 to 2199. zod's ISO date format
 * rejects dates that do not exist (2020-02-30, 2021-02-29), not only
 * malformed strings.
 */
export const isoDate = z.iso.date().refine((d) => d >= MIN_DATE && d <= MAX_DATE, `must be between ${MIN_DATE} and ${MAX_DATE}`);

/** The default time zone of date-only deadlines (API.md). */
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `Intl` knows the IANA time zone name. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name that `Intl` knows (`Asia/Ho_Chi_Minh`). */
export const timeZoneName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(isTimeZone, { message: 'unknown time zone' });

/** The wall-clock reading of `instantMs` in `timeZone`, expressed as if it were UTC. */
function wallClockMs(instantMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
}

/** Offset of `timeZone` from UTC at `instantMs`, in milliseconds (whole seconds). */
function offsetMs(instantMs: number, timeZone: string): number {
  const seconds = Math.floor(instantMs / 1000) * 1000;
  return wallClockMs(seconds, timeZone) - seconds;
}

function dateToUtcMs(date: string): number {
  const parsed = isoDate.safeParse(date);
  if (!parsed.success) throw new RangeError(`not a calendar date: ${date}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

/**
 * The first instant of the day after `date` in `timeZone`, as an ISO instant:
 * the moment a date-only deadline has passed (Civil Code art. 148: a period
 * ends at 24:00 of its last day).
 *
 * The instant is the earliest one whose wall-clock reading is at or after the
 * next midnight. The candidates are "next midnight minus an offset" for every
 * offset in force around that midnight; this also covers zones whose clocks
 * jump over midnight (the day then starts at the jump) or repeat it (the day
 * starts at the first occurrence).
 */
export function endOfDay(date: string, timeZone: string): string {
  const key = `${date} ${timeZone}`;
  let end = endOfDayMemo.get(key);
  if (end === undefined) {
    end = computeEndOfDay(date, timeZone);
    if (endOfDayMemo.size >= 10_000) endOfDayMemo.clear();
    endOfDayMemo.set(key, end);
  }
  return end;
}

/** endOfDay is pure and asked for the same few dates on every event (deadlines are recomputed per step); each answer costs a dozen time-zone lookups. */
const endOfDayMemo = new Map<string, string>();

function computeEndOfDay(date: string, timeZone: string): string {
  const nextMidnightWall = dateToUtcMs(date) + DAY_MS;
  const offsets = new Set<number>();
  for (const probe of [nextMidnightWall - DAY_MS, nextMidnightWall, nextMidnightWall + DAY_MS]) {
    const offset = offsetMs(probe, timeZone);
    offsets.add(offset);
    offsets.add(offsetMs(nextMidnightWall - offset, timeZone));
  }
  let best: number | undefined;
  for (const offset of offsets) {
    const candidate = nextMidnightWall - offset;
    const reachesNextDay = wallClockMs(candidate, timeZone) >= nextMidnightWall;
    if (reachesNextDay && (best === undefined || candidate < best)) best = candidate;
  }
  if (best === undefined) throw new RangeError(`cannot place the end of ${date} in ${timeZone}`);
  return new Date(best).toISOString();
}

/** `YYYY-MM-DD` of an instant in `timeZone`. */
export function dateIn(instant: string | number, timeZone: string): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  return new Date(wallClockMs(ms, timeZone)).toISOString().slice(0, 10);
}
