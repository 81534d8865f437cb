import nodemailer, { type Transporter } from 'nodemailer';

/**
 * E-mail reminders over SMTP (nodemailer), Vietnamese first with the English
 * below. Off when SMTP_URL is unset.
 */

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** An SMTP server that stops answering must not hold a dispatcher's claim for minutes (nodemailer's defaults). */
export const SMTP_TIMEOUT_MS = 30_000;

export function createMailer(smtpUrl: string | undefined, from: string): Mailer | undefined {
  if (!smtpUrl) return undefined;
  const transport: Transporter = nodemailer.createTransport(
    { url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: SMTP_TIMEOUT_MS },
    { from },
  );
  return {
    async send(message) {
      await transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transport.close();
    },
  };
}

/** What a reminder is about, as the dispatcher reads it. */
export interface ReminderFacts {
  reminderId: string;
  deadlineId: string;
  inspectionId: string;
  inspectionKind: string;
  planId: string | null;
  planYear: number | null;
  planTitle: string | null;
  unitCode: string | null;
  unitName: string | null;
  kind: string;
  subject: string;
  /** A remediation item's action, when the deadline is one. */
  itemAction: string | null;
  dueDate: string;
  dueAt: string;
  offsetDays: number;
  audience: 'unit' | 'coordinator' | 'chairman';
}

const KIND_NAMES: Record<string, { vi: string; en: string }> = {
  selfReport: { vi: 'Báo cáo tự kiểm tra công tác CCHC', en: 'Administrative-reform self-assessment report' },
  visit: { vi: 'Buổi làm việc của Đoàn kiểm tra tại đơn vị', en: "The inspection team's visit to the unit" },
  conclusion: { vi: 'Thông báo kết luận kiểm tra', en: 'Inspection conclusion notice' },
  remediation: { vi: 'Khắc phục tồn tại, hạn chế sau kiểm tra', en: 'Remediation of a shortcoming found' },
};

const AUDIENCE_NAMES = {
  unit: { vi: (unit: string) => `Thủ trưởng ${unit}`, en: (unit: string) => `The head of ${unit}` },
  coordinator: { vi: () => 'Sở Nội vụ (cơ quan thường trực kiểm tra CCHC)', en: () => 'The Department of Home Affairs (inspection coordinator)' },
  chairman: { vi: () => 'Chủ tịch Ủy ban nhân dân tỉnh', en: () => "The Chairman of the Provincial People's Committee" },
} as const;

function dmy(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

function timing(offsetDays: number): { vi: string; en: string } {
  if (offsetDays < 0) {
    const n = -offsetDays;
    return { vi: `còn ${n} ngày nữa đến hạn`, en: `${n} day${n === 1 ? '' : 's'} from now` };
  }
  if (offsetDays === 0) return { vi: 'hôm nay là ngày cuối cùng của hạn', en: 'that is today' };
  return {
    vi: `đã quá hạn ${offsetDays} ngày làm việc`,
    en: `now overdue by ${offsetDays} working day${offsetDays === 1 ? '' : 's'}`,
  };
}

/** Subject and text of one reminder e-mail: the unit, the deadline and the inspection, in both languages. */
export function composeReminderEmail(f: ReminderFacts): { subject: string; text: string } {
  const kind = KIND_NAMES[f.kind] ?? { vi: f.kind, en: f.kind };
  const unit = f.unitName && f.unitCode ? `${f.unitName} (${f.unitCode})` : (f.unitCode ?? 'không rõ đơn vị / unknown unit');
  const when = timing(f.offsetDays);
  const due = dmy(f.dueDate);
  const overdue = f.offsetDays > 0;
  const item = f.kind === 'remediation' ? { vi: ` — nội dung: ${f.itemAction ?? f.subject} (mã ${f.subject})`, en: ` — action: ${f.itemAction ?? f.subject} (item ${f.subject})` } : { vi: '', en: '' };
  const plan =
    f.planTitle !== null
      ? { vi: `Kế hoạch kiểm tra CCHC năm ${f.planYear}: ${f.planTitle}`, en: `${f.planYear} administrative-reform inspection plan: ${f.planTitle}` }
      : f.inspectionKind === 'surprise'
        ? { vi: 'Kiểm tra đột xuất', en: 'Surprise inspection' }
        : { vi: 'Kiểm tra theo kế hoạch', en: 'Planned inspection' };
  const to = AUDIENCE_NAMES[f.audience];
  const subject =
    `[Kiểm tra CCHC] ${overdue ? 'QUÁ HẠN' : 'Nhắc hạn'}: ${kind.vi} — ${unit} — hạn ${due}` +
    ` / ${overdue ? 'OVERDUE' : 'Reminder'}: ${kind.en} — due ${f.dueDate}`;
  const text = [
    `Kính gửi: ${to.vi(unit)}`,
    '',
    `Hệ thống Kiểm tra CCHC xin nhắc: ${kind.vi}${item.vi} của ${unit} có hạn ngày ${due}, ${when.vi}.`,
    overdue && f.audience !== 'unit' ? `Thư này được gửi để đôn đốc vì đơn vị chưa hoàn thành đúng hạn.` : '',
    '',
    `Đơn vị: ${unit}`,
    `Nội dung: ${kind.vi}${item.vi}`,
    `Hạn: ${due} (kết thúc lúc 24:00 ngày này) — ${when.vi}`,
    `Cuộc kiểm tra: ${f.inspectionId}`,
    `Thuộc: ${plan.vi}`,
    '',
    'Đây là thư tự động, xin không trả lời thư này.',
    '',
    '———— English ————',
    '',
    `To: ${to.en(unit)}`,
    '',
    `This is a reminder from Kiểm tra CCHC: ${kind.en}${item.en} of ${unit} is due on ${f.dueDate}, ${when.en}.`,
    overdue && f.audience !== 'unit' ? 'You receive it as an escalation: the unit has not met the deadline.' : '',
    '',
    `Unit: ${unit}`,
    `Deadline: ${kind.en}${item.en}`,
    `Due: ${f.dueDate} (ends at midnight) — ${when.en}`,
    `Inspection: ${f.inspectionId}`,
    `Part of: ${plan.en}`,
    '',
    'This message was sent automatically; please do not reply.',
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n');
  return { subject, text };
}
