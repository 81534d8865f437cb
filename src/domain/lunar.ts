/**
 * Vietnamese lunar calendar (âm lịch), pure and dependency-free.
 *
 * This is Hồ Ngọc Đức's well-known algorithm ("Âm lịch Việt Nam",
 * https://www.informatik.uni-leipzig.de/~duc/amlich/), which computes new
 * moons and solar terms astronomically (after Jean Meeus, "Astronomical
 * Algorithms") and applies the rules of the lunisolar calendar:
 *
 * - a lunar month starts on the (local) day of the new moon;
 * - lunar month 11 is the one containing the winter solstice;
 * - in a year with 13 months between two months 11, the first month without a
 *   major solar term (trung khí) is the leap month.
 *
 * The result depends on the time zone of the meridian used: Vietnam uses
 * UTC+7 (since 1968), China UTC+8, so the two calendars differ in some years
 * (e.g. Tết 1985: Vietnam 1985-01-21, China 1985-02-20; Tết 2007: Vietnam
 * 2007-02-17, China 2007-02-18). Every function here defaults to UTC+7.
 *
 * Valid for roughly 1800–2199, which covers the working-day calendar's range
 * (1900–2200). No npm package was used: the Vietnamese-specific ones on the
 * registry are single-release, single-maintainer packages, while this
 * algorithm is ~150 lines and tested against published Tết dates.
 */

export const VIETNAM_TIME_ZONE = 7;

export interface LunarDate {
  /** 1–30 */
  day: number;
  /** 1–12 */
  month: number;
  /** the lunar year (the Gregorian year in which its month 1 starts) */
  year: number;
  /** true for the intercalary (nhuận) month that repeats `month` */
  leap: boolean;
}

const INT = Math.floor;

/** Julian day number of a Gregorian (or, before 1582-10-15, Julian) date. */
export function jdFromDate(dd: number, mm: number, yy: number): number {
  const a = INT((14 - mm) / 12);
  const y = yy + 4800 - a;
  const m = mm + 12 * a - 3;
  let jd = dd + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - INT(y / 100) + INT(y / 400) - 32045;
  if (jd < 2299161) {
    jd = dd + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - 32083;
  }
  return jd;
}

/** Inverse of {@link jdFromDate}: [day, month, year]. */
export function jdToDate(jd: number): [number, number, number] {
  let b: number;
  let c: number;
  if (jd > 2299160) {
    const a = jd + 32044;
    b = INT((4 * a + 3) / 146097);
    c = a - INT((b * 146097) / 4);
  } else {
    b = 0;
    c = jd + 32082;
  }
  const d = INT((4 * c + 3) / 1461);
  const e = c - INT((1461 * d) / 4);
  const m = INT((5 * e + 2) / 153);
  const day = e - INT((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * INT(m / 10);
  const year = b * 100 + d - 4800 + INT(m / 10);
  return [day, month, year];
}

/** Julian day (fractional, UT) of the k-th new moon after 1900-01-01 (Meeus). */
function newMoon(k: number): number {
  const T = k / 1236.85; // Julian centuries from 1900 January 0.5
  const T2 = T * T;
  const T3 = T2 * T;
  const dr = Math.PI / 180;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 = jd1 + 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * dr); // mean new moon
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3; // Sun's mean anomaly
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3; // Moon's mean anomaly
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3; // Moon's argument of latitude
  let C1 = (0.1734 - 0.000393 * T) * Math.sin(M * dr) + 0.0021 * Math.sin(2 * dr * M);
  C1 = C1 - 0.4068 * Math.sin(Mpr * dr) + 0.0161 * Math.sin(dr * 2 * Mpr);
  C1 = C1 - 0.0004 * Math.sin(dr * 3 * Mpr);
  C1 = C1 + 0.0104 * Math.sin(dr * 2 * F) - 0.0051 * Math.sin(dr * (M + Mpr));
  C1 = C1 - 0.0074 * Math.sin(dr * (M - Mpr)) + 0.0004 * Math.sin(dr * (2 * F + M));
  C1 = C1 - 0.0004 * Math.sin(dr * (2 * F - M)) - 0.0006 * Math.sin(dr * (2 * F + Mpr));
  C1 = C1 + 0.001 * Math.sin(dr * (2 * F - Mpr)) + 0.0005 * Math.sin(dr * (2 * Mpr + M));
  let deltat: number;
  if (T < -11) {
    deltat = 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3;
  } else {
    deltat = -0.000278 + 0.000265 * T + 0.000262 * T2;
  }
  return jd1 + C1 - deltat;
}

/** Sun's apparent longitude (radians, 0..2π) at Julian day `jdn` (UT). */
function sunLongitude(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525; // Julian centuries from J2000.0
  const T2 = T * T;
  const dr = Math.PI / 180;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2; // mean anomaly
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2; // mean longitude
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(dr * M);
  DL = DL + (0.019993 - 0.000101 * T) * Math.sin(dr * 2 * M) + 0.00029 * Math.sin(dr * 3 * M);
  let L = (L0 + DL) * dr; // true longitude
  L = L - Math.PI * 2 * INT(L / (Math.PI * 2));
  return L;
}

/** Which of the 12 major-term sectors (0..11) the sun is in at local midnight starting day `dayNumber`. */
function getSunLongitude(dayNumber: number, timeZone: number): number {
  return INT((sunLongitude(dayNumber - 0.5 - timeZone / 24) / Math.PI) * 6);
}

/** Julian day number of the local day of the k-th new moon. */
function getNewMoonDay(k: number, timeZone: number): number {
  return INT(newMoon(k) + 0.5 + timeZone / 24);
}

/** Julian day number of the first day of lunar month 11 (the solstice month) ending Gregorian year `yy`. */
function getLunarMonth11(yy: number, timeZone: number): number {
  const off = jdFromDate(31, 12, yy) - 2415021;
  const k = INT(off / 29.530588853);
  let nm = getNewMoonDay(k, timeZone);
  const sunLong = getSunLongitude(nm, timeZone);
  if (sunLong >= 9) {
    nm = getNewMoonDay(k - 1, timeZone);
  }
  return nm;
}

/** Offset (in months after month 11 starting at `a11`) of the leap month of a 13-month year. */
function getLeapMonthOffset(a11: number, timeZone: number): number {
  const k = INT((a11 - 2415021.076998695) / 29.530588853 + 0.5);
  let last: number;
  let i = 1; // start with the month following lunar month 11
  let arc = getSunLongitude(getNewMoonDay(k + i, timeZone), timeZone);
  do {
    last = arc;
    i++;
    arc = getSunLongitude(getNewMoonDay(k + i, timeZone), timeZone);
  } while (arc !== last && i < 14);
  return i - 1;
}

function solarToLunarParts(dd: number, mm: number, yy: number, timeZone: number): LunarDate {
  const dayNumber = jdFromDate(dd, mm, yy);
  const k = INT((dayNumber - 2415021.076998695) / 29.530588853);
  let monthStart = getNewMoonDay(k + 1, timeZone);
  if (monthStart > dayNumber) {
    monthStart = getNewMoonDay(k, timeZone);
  }
  let a11 = getLunarMonth11(yy, timeZone);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = yy;
    a11 = getLunarMonth11(yy - 1, timeZone);
  } else {
    lunarYear = yy + 1;
    b11 = getLunarMonth11(yy + 1, timeZone);
  }
  const lunarDay = dayNumber - monthStart + 1;
  const diff = INT((monthStart - a11) / 29);
  let leap = false;
  let lunarMonth = diff + 11;
  if (b11 - a11 > 365) {
    const leapMonthDiff = getLeapMonthOffset(a11, timeZone);
    if (diff >= leapMonthDiff) {
      lunarMonth = diff + 10;
      if (diff === leapMonthDiff) {
        leap = true;
      }
    }
  }
  if (lunarMonth > 12) {
    lunarMonth = lunarMonth - 12;
  }
  if (lunarMonth >= 11 && diff < 4) {
    lunarYear -= 1;
  }
  return { day: lunarDay, month: lunarMonth, year: lunarYear, leap };
}

/** Julian day number of a lunar date, or null when the leap flag names a month that is not leap that year. */
function lunarToJd(day: number, month: number, year: number, leap: boolean, timeZone: number): number | null {
  let a11: number;
  let b11: number;
  if (month < 11) {
    a11 = getLunarMonth11(year - 1, timeZone);
    b11 = getLunarMonth11(year, timeZone);
  } else {
    a11 = getLunarMonth11(year, timeZone);
    b11 = getLunarMonth11(year + 1, timeZone);
  }
  const k = INT(0.5 + (a11 - 2415021.076998695) / 29.530588853);
  let off = month - 11;
  if (off < 0) {
    off += 12;
  }
  if (b11 - a11 > 365) {
    const leapOff = getLeapMonthOffset(a11, timeZone);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) {
      leapMonth += 12;
    }
    if (leap && month !== leapMonth) {
      return null;
    } else if (leap || off >= leapOff) {
      off += 1;
    }
  } else if (leap) {
    return null;
  }
  const monthStart = getNewMoonDay(k + off, timeZone);
  return monthStart + day - 1;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function parseIso(date: string): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    throw new RangeError(`not a valid date: ${date}`);
  }
  return [y, mo, d];
}

function jdToIso(jd: number): string {
  const [d, m, y] = jdToDate(jd);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** The lunar date of a Gregorian 'YYYY-MM-DD' date (Vietnamese calendar by default). */
export function solarToLunar(date: string, timeZone: number = VIETNAM_TIME_ZONE): LunarDate {
  const [y, m, d] = parseIso(date);
  return solarToLunarParts(d, m, y, timeZone);
}

/**
 * The Gregorian 'YYYY-MM-DD' date of a lunar date. Throws RangeError if the
 * date does not exist (a leap flag on a month that is not leap that year, or
 * day 30 of a 29-day month).
 */
export function lunarToSolar(
  lunar: { day: number; month: number; year: number; leap?: boolean },
  timeZone: number = VIETNAM_TIME_ZONE,
): string {
  const { day, month, year } = lunar;
  const leap = lunar.leap ?? false;
  if (!Number.isInteger(day) || day < 1 || day > 30 || !Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year)) {
    throw new RangeError(`not a lunar date: ${JSON.stringify(lunar)}`);
  }
  const jd = lunarToJd(day, month, year, leap, timeZone);
  if (jd === null) {
    throw new RangeError(`lunar year ${year} has no leap month ${month}`);
  }
  const iso = jdToIso(jd);
  const back = solarToLunar(iso, timeZone);
  if (back.day !== day || back.month !== month || back.year !== year || back.leap !== leap) {
    throw new RangeError(`lunar date ${day}/${month}${leap ? ' (leap)' : ''}/${year} does not exist`);
  }
  return iso;
}

/** Tết Nguyên Đán: the Gregorian date of lunar 1/1 of `year`. */
export function lunarNewYear(year: number, timeZone: number = VIETNAM_TIME_ZONE): string {
  return lunarToSolar({ day: 1, month: 1, year }, timeZone);
}

/** Giỗ Tổ Hùng Vương: the Gregorian date of lunar 10/3 of `year` (never in a leap month). */
export function hungKingsDay(year: number, timeZone: number = VIETNAM_TIME_ZONE): string {
  return lunarToSolar({ day: 10, month: 3, year }, timeZone);
}

/** The leap month (1–12) of lunar year `year`, or 0 if it has none. */
export function leapMonthOf(year: number, timeZone: number = VIETNAM_TIME_ZONE): number {
  for (let month = 1; month <= 12; month++) {
    // lunarToJd accepts the leap flag only for the leap month of the
    // solstice-to-solstice cycle it looks at; months 11 and 12 belong to the
    // next cycle, so confirm by converting back.
    const jd = lunarToJd(1, month, year, true, timeZone);
    if (jd !== null) {
      const back = solarToLunarParts(...jdToDate(jd), timeZone);
      if (back.leap && back.month === month && back.year === year) return month;
    }
  }
  return 0;
}
