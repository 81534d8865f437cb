import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, fireDueTimers } from '../../src/engine/index.js';
import { dispatcherSettings, runDispatcherPass } from '../../src/reminders/dispatcher.js';
import { createMailer, type Mailer } from '../../src/reminders/email.js';
import { runSchedulerPass } from '../../src/reminders/scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { coordinator, driveToFindings } from '../support/fixtures.js';
import { seedInspection } from './support.js';

interface Received {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** Enough MIME for what nodemailer writes here: one text/plain part, RFC 2047 subjects. */
function parseMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const decodeWords = (v: string) =>
    v
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
        enc.toLowerCase() === 'b'
          ? Buffer.from(text, 'base64').toString('utf8')
          : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
      );
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  return { subject: decodeWords(header('Subject')), text: text.replace(/\r\n/g, '\n') };
}

let h: TestApp;
let smtp: SMTPServer;
let mailer: Mailer;
const inbox: Received[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address).sort(),
          ...parseMail(Buffer.concat(chunks).toString('latin1')),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  h = await createTestApp({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: 'Kiem tra CCHC <nhac-han@kiemtra.test>',
    COORDINATOR_EMAILS: 'snv@kiemtra.test, thanhtra.snv@kiemtra.test',
    CHAIRMAN_EMAILS: 'vp.ubnd@kiemtra.test',
  });
  mailer = createMailer(h.config.SMTP_URL, h.config.SMTP_FROM)!;
});
afterAll(async () => {
  mailer.close();
  await h.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const schedule = () => runSchedulerPass(h.t.db, { now: h.clock.now(), timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });
const dispatch = () => runDispatcherPass(h.t.db, h.clock.now(), { settings: dispatcherSettings(h.config), mailer });

describe('e-mail reminders over SMTP', () => {
  it('e-mails the unit’s contacts before the deadline, and the coordinator too once it is overdue, naming unit, deadline and inspection', async () => {
    h.clock.set('2020-07-01T03:00:00Z');
    const { inspectionId } = await seedInspection(h.t.db, {
      code: 'SYT',
      name: 'Sở Y tế',
      contacts: [
        { name: 'Văn thư', email: 'vanthu@syt.kiemtra.test' },
        { email: 'cchc@syt.kiemtra.test' },
      ],
    });
    await applyEvent(h.t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: h.clock.now() });
    await schedule();
    h.clock.set('2020-07-08T01:30:00Z');
    const pass = await dispatch();
    expect(pass.reminders).toMatchObject({ claimed: 1, sent: 1 });
    expect(inbox).toHaveLength(1);
    const mail = inbox[0]!;
    expect(mail.from).toBe('nhac-han@kiemtra.test');
    expect(mail.to).toEqual(['cchc@syt.kiemtra.test', 'vanthu@syt.kiemtra.test']);
    expect(mail.subject).toContain('Sở Y tế (SYT)');
    expect(mail.subject).toContain('Báo cáo tự kiểm tra');
    expect(mail.subject).toContain('15/07/2020');
    expect(mail.text).toContain('Đơn vị: Sở Y tế (SYT)');
    expect(mail.text).toContain('Hạn: 15/07/2020');
    expect(mail.text).toContain('còn 7 ngày nữa đến hạn');
    expect(mail.text).toContain(`Cuộc kiểm tra: ${inspectionId}`);
    expect(mail.text).toContain('Kế hoạch kiểm tra CCHC năm 2020');
    // Vietnamese first, English below.
    const english = mail.text.indexOf('English');
    expect(english).toBeGreaterThan(mail.text.indexOf('Kính gửi'));
    expect(mail.text.slice(english)).toContain('self-assessment report');
    expect(mail.text.slice(english)).toContain('7 days from now');
    expect(mail.text.slice(english)).toContain(`Inspection: ${inspectionId}`);
    const reminder = await h.t.db.selectFrom('reminders').select(['channel', 'status']).where('inspection_id', '=', inspectionId).where('offset_days', '=', -7).executeTakeFirstOrThrow();
    expect(reminder).toEqual({ channel: 'stream,email', status: 'sent' });

    // Overdue: the unit and, as an escalation, the coordinator's addresses.
    h.clock.set('2020-07-16T02:00:00Z');
    await fireDueTimers(h.t.db, h.clock.now());
    await schedule();
    inbox.length = 0;
    await dispatch();
    const overdue = inbox.filter((m) => m.subject.includes('QUÁ HẠN'));
    expect(overdue.map((m) => m.to.join(',')).sort()).toEqual([
      'cchc@syt.kiemtra.test,vanthu@syt.kiemtra.test',
      'snv@kiemtra.test,thanhtra.snv@kiemtra.test',
    ]);
    const escalation = overdue.find((m) => m.to.includes('snv@kiemtra.test'))!;
    expect(escalation.text).toContain('Kính gửi: Sở Nội vụ');
    expect(escalation.text).toContain('đã quá hạn 1 ngày làm việc');
    expect(escalation.text).toContain('Sở Y tế (SYT)');
    expect(escalation.text).toContain('overdue by 1 working day');
  });

  it('names the remediation item’s action', async () => {
    h.clock.set('2020-07-01T03:00:00Z');
    const { inspectionId } = await seedInspection(h.t.db, { code: 'SNV', name: 'Sở Nội vụ', contacts: [{ email: 'vp@snv.kiemtra.test' }] });
    await driveToFindings(h.t.db, inspectionId, h.clock.now());
    await applyEvent(
      h.t.db,
      inspectionId,
      { type: 'ISSUE_CONCLUSION', summary: 'Kết luận', remediation: [{ action: 'Gửi thư xin lỗi người dân vì hồ sơ trễ hạn', dueDate: '2020-12-15' }] },
      coordinator,
      { now: h.clock.now() },
    );
    await schedule();
    inbox.length = 0;
    h.clock.set('2020-12-01T02:00:00Z'); // 14 days before
    await dispatch();
    const mail = inbox.find((m) => m.to.includes('vp@snv.kiemtra.test'))!;
    expect(mail.subject).toContain('Khắc phục');
    expect(mail.text).toContain('Gửi thư xin lỗi người dân vì hồ sơ trễ hạn');
    expect(mail.text).toContain('còn 14 ngày nữa đến hạn');
    expect(mail.text).toContain('Hạn: 15/12/2020');
  });
});
