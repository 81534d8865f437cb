import ical, { ICalCalendarMethod, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { addDays } from '../domain/calendar.js';

/**
 * The iCalendar feed of one unit's open and missed deadlines, for calendar
 * subscriptions (Google Calendar, Outlook). A deadline is date-only, so each
 * is an all-day event on its due date: a DATE value carries no time zone and
 * shows on the right day in any client, whatever its zone. UIDs are the
 * deadline ids, so a moved deadline updates its event instead of adding one.
 */

const KIND = {
  selfReport: { vi: 'Hạn nộp báo cáo tự kiểm tra CCHC', en: 'Self-assessment report due' },
  visit: { vi: 'Đoàn kiểm tra làm việc tại đơn vị', en: 'Inspection team visit' },
  conclusion: { vi: 'Hạn thông báo kết luận kiểm tra', en: 'Inspection conclusion due' },
  remediation: { vi: 'Hạn khắc phục tồn tại sau kiểm tra', en: 'Remediation due' },
} as Record<string, { vi: string; en: string }>;

export interface IcsOptions {
  now: Date;
  timeZone: string;
}

export async function unitCalendarIcs(
  db: Kysely<Database>,
  unit: { code: string; name: string },
  options: IcsOptions,
): Promise<string> {
  const rows = await db
    .selectFrom('deadlines as d')
    .innerJoin('instances as i', 'i.id', 'd.instance_id')
    .leftJoin('plans as p', 'p.id', 'i.plan_id')
    .select(['d.id', 'd.kind', 'd.subject', 'd.due_date', 'd.due_at', 'd.status', 'd.updated_at', 'd.instance_id', 'i.kind as inspection_kind', 'p.year', 'p.title'])
    .where('d.unit_code', '=', unit.code)
    .where('d.status', 'in', ['open', 'missed'])
    .orderBy('d.due_at')
    .orderBy('d.id')
    .execute();
  const cal = ical({
    name: `Kiểm tra CCHC — ${unit.name} (${unit.code})`,
    description: `Hạn của ${unit.name} trong các cuộc kiểm tra cải cách hành chính / Administrative-reform inspection deadlines of ${unit.name}`,
    method: ICalCalendarMethod.PUBLISH,
    prodId: { company: 'kiemtra-cchc', product: 'deadlines', language: 'VI' },
    ttl: 3600,
    // Only a hint for clients: the events are all-day DATE values, and DTSTAMP / LAST-MODIFIED are
    // written in UTC (a calendar time zone without a VTIMEZONE would make them floating, which RFC 5545 forbids).
    x: { 'X-WR-TIMEZONE': options.timeZone },
  });
  for (const d of rows) {
    const kind = KIND[d.kind] ?? { vi: d.kind, en: d.kind };
    const missed = d.status === 'missed';
    const item = d.kind === 'remediation' ? ` (${d.subject})` : '';
    const plan = d.title !== null ? `Kế hoạch ${d.year}: ${d.title}` : d.inspection_kind === 'surprise' ? 'Kiểm tra đột xuất / Surprise inspection' : '';
    cal.createEvent({
      id: `deadline-${d.id}@kiemtra-cchc`,
      allDay: true,
      start: d.due_date,
      end: addDays(d.due_date, 1),
      stamp: options.now,
      lastModified: d.updated_at,
      summary: `${missed ? 'QUÁ HẠN / OVERDUE: ' : ''}${kind.vi}${item} — ${unit.name} / ${kind.en}`,
      description: [
        `${kind.vi}${item} — ${unit.name} (${unit.code})`,
        `Hạn: ${d.due_date} (hết 24:00, ${options.timeZone})${missed ? ' — đã quá hạn' : ''}`,
        `Cuộc kiểm tra: ${d.instance_id}`,
        plan,
        '',
        `${kind.en}${item} — ${unit.name} (${unit.code})`,
        `Due: ${d.due_date} (ends at midnight, ${options.timeZone})${missed ? ' — overdue' : ''}`,
        `Inspection: ${d.instance_id}`,
      ]
        .filter((line, i) => line !== '' || i === 4)
        .join('\n'),
      status: ICalEventStatus.CONFIRMED,
      transparency: ICalEventTransparency.TRANSPARENT,
      x: { 'X-KIEMTRA-DEADLINE-KIND': d.kind, 'X-KIEMTRA-DEADLINE-STATUS': d.status, 'X-KIEMTRA-INSPECTION-ID': d.instance_id },
    });
  }
  return cal.toString();
}
