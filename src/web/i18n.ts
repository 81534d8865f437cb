/**
 * The dashboard's words, Vietnamese first (the officials' language) and
 * English. Domain terms follow the glossary in the README.
 */
export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(value: unknown): value is Lang {
  return value === 'vi' || value === 'en';
}

type Text = { vi: string; en: string };

const MESSAGES = {
  appName: { vi: 'Kiểm tra CCHC', en: 'Kiểm tra CCHC' },
  appTagline: { vi: 'Kiểm tra cải cách hành chính', en: 'Administrative-reform inspections' },
  skip: { vi: 'Bỏ qua, đến nội dung chính', en: 'Skip to the main content' },
  signIn: { vi: 'Đăng nhập', en: 'Sign in' },
  signOut: { vi: 'Đăng xuất', en: 'Sign out' },
  token: { vi: 'Mã truy cập (token)', en: 'Access token' },
  tokenHint: {
    vi: 'Mã do quản trị viên cấp (bắt đầu bằng kt_). Mã chỉ được dùng để đăng nhập, không lưu trên trình duyệt.',
    en: 'The token your administrator gave you (starts with kt_). It is used to sign in only and is not kept in the browser.',
  },
  badToken: { vi: 'Mã truy cập không đúng, đã bị thu hồi hoặc đã hết hạn.', en: 'The token is unknown, revoked or expired.' },
  badCsrf: {
    vi: 'Biểu mẫu đã hết hiệu lực (mã chống giả mạo không khớp). Vui lòng tải lại trang và thử lại.',
    en: 'The form has expired (its anti-forgery token did not match). Reload the page and try again.',
  },
  signedInAs: { vi: 'Đang đăng nhập', en: 'Signed in as' },
  language: { vi: 'Ngôn ngữ', en: 'Language' },
  nav: { vi: 'Điều hướng chính', en: 'Main navigation' },
  navPlans: { vi: 'Kế hoạch', en: 'Plans' },
  navUnit: { vi: 'Đơn vị của tôi', en: 'My unit' },
  navReminders: { vi: 'Nhắc việc', en: 'Reminders' },
  navSurprise: { vi: 'Kiểm tra đột xuất', en: 'Surprise inspections' },
  notFound: { vi: 'Không tìm thấy trang này.', en: 'This page was not found.' },
  forbidden: { vi: 'Vai trò của bạn không được xem trang này.', en: 'Your role may not see this page.' },
  error: { vi: 'Đã xảy ra lỗi; lỗi đã được ghi lại.', en: 'An error occurred; it has been logged.' },
  back: { vi: 'Quay lại', en: 'Back' },
  liveUpdated: { vi: 'Trang đã được cập nhật.', en: 'The page was updated.' },
  liveStale: { vi: 'Có thay đổi mới.', en: 'There are new changes.' },
  liveRefresh: { vi: 'Cập nhật', en: 'Refresh' },
  // plans
  plans: { vi: 'Kế hoạch kiểm tra', en: 'Inspection plans' },
  plan: { vi: 'Kế hoạch', en: 'Plan' },
  year: { vi: 'Năm', en: 'Year' },
  title: { vi: 'Tên', en: 'Title' },
  state: { vi: 'Trạng thái', en: 'State' },
  decisionNo: { vi: 'Số quyết định', en: 'Decision no.' },
  reviewPeriod: { vi: 'Thời kỳ kiểm tra (số liệu)', en: 'Review period' },
  visitWindow: { vi: 'Thời gian kiểm tra tại đơn vị', en: 'Visit window' },
  targets: { vi: 'Đơn vị được kiểm tra', en: 'Units inspected' },
  coverage: { vi: 'Tỷ lệ đơn vị được kiểm tra theo quy định', en: 'Coverage rules' },
  coverageRule: { vi: '{kind}: yêu cầu {req}, đạt {got} ({inspected}/{total})', en: '{kind}: required {req}, achieved {got} ({inspected}/{total})' },
  coverageOk: { vi: 'Đạt', en: 'Met' },
  coverageFail: { vi: 'Chưa đạt', en: 'Not met' },
  coverageAtVisit: { vi: 'kiểm tra khi lên lịch kiểm tra tại đơn vị', en: 'checked when each visit is scheduled' },
  countsByState: { vi: 'Số cuộc kiểm tra theo trạng thái', en: 'Inspections by state' },
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  overdueCounts: { vi: 'Số việc quá hạn', en: 'Overdue' },
  closureRate: { vi: 'Tỷ lệ khắc phục hoàn thành', en: 'Remediation closure rate' },
  closureRateDetail: {
    vi: '{verified}/{issued} nội dung khắc phục đã được xác nhận (chỉ số CCHC)',
    en: '{verified} of {issued} remediation items verified (PAR Index)',
  },
  noRemediation: { vi: 'Chưa có nội dung khắc phục nào được giao.', en: 'No remediation items issued yet.' },
  board: { vi: 'Tiến độ các cuộc kiểm tra', en: 'Inspections by stage' },
  report: { vi: 'Báo cáo kết quả kiểm tra', en: 'Results report' },
  downloadCsv: { vi: 'Tải về CSV (Excel)', en: 'Download CSV (Excel)' },
  print: { vi: 'In báo cáo', en: 'Print' },
  none: { vi: 'Không có', en: 'None' },
  total: { vi: 'Tổng', en: 'Total' },
  // inspection
  inspection: { vi: 'Cuộc kiểm tra', en: 'Inspection' },
  plannedKind: { vi: 'Kiểm tra theo kế hoạch', en: 'Planned inspection' },
  surpriseKind: { vi: 'Kiểm tra đột xuất', en: 'Surprise inspection' },
  unit: { vi: 'Đơn vị', en: 'Unit' },
  diagram: { vi: 'Sơ đồ trạng thái', en: 'Statechart' },
  diagramDesc: {
    vi: 'Sơ đồ vẽ từ chính định nghĩa máy trạng thái. Trạng thái hiện tại: {state}. Đã đi qua: {path}.',
    en: "Drawn from the machine's own definition. Current state: {state}. Path so far: {path}.",
  },
  diagramLegendCurrent: { vi: 'Trạng thái hiện tại', en: 'Current state' },
  diagramLegendVisited: { vi: 'Đã đi qua', en: 'Visited' },
  actions: { vi: 'Thao tác', en: 'Actions' },
  noActions: { vi: 'Vai trò của bạn không có thao tác nào ở trạng thái này.', en: 'Your role has nothing to do in this state.' },
  send: { vi: 'Gửi', en: 'Send' },
  done: { vi: 'Đã thực hiện: {event}.', en: 'Done: {event}.' },
  problemTitle: { vi: 'Chưa thực hiện được', en: 'Not done' },
  timeline: { vi: 'Nhật ký kiểm tra', en: 'Audit timeline' },
  when: { vi: 'Thời điểm', en: 'When' },
  who: { vi: 'Người thực hiện', en: 'Who' },
  what: { vi: 'Nội dung', en: 'What' },
  fromTo: { vi: 'Từ → đến', en: 'From → to' },
  chainOk: { vi: 'Chuỗi nhật ký toàn vẹn ({n} bản ghi đã kiểm tra)', en: 'Audit chain intact ({n} rows checked)' },
  chainBroken: { vi: 'Chuỗi nhật ký bị thay đổi tại bản ghi {seq}: {reason}', en: 'Audit chain broken at row {seq}: {reason}' },
  deadlines: { vi: 'Thời hạn', en: 'Deadlines' },
  dueIn: { vi: 'còn {n} ngày', en: '{n} days left' },
  dueToday: { vi: 'hết hạn hôm nay', en: 'due today' },
  overdueBy: { vi: 'quá hạn {n} ngày', en: '{n} days overdue' },
  remediation: { vi: 'Khắc phục', en: 'Remediation' },
  selfReport: { vi: 'Báo cáo tự kiểm tra', en: 'Self-report' },
  outline: { vi: 'Đề cương', en: 'Outline' },
  dueDate: { vi: 'Hạn', en: 'Due' },
  submittedAt: { vi: 'Nộp lúc', en: 'Submitted' },
  documents: { vi: 'Hồ sơ, tài liệu kiểm chứng', en: 'Evidence documents' },
  noSelfReport: { vi: 'Chưa yêu cầu báo cáo tự kiểm tra.', en: 'No self-report requested yet.' },
  notSubmitted: { vi: 'Chưa nộp.', en: 'Not submitted yet.' },
  findings: { vi: 'Kết quả kiểm tra theo nhóm tiêu chí', en: 'Findings by criterion group' },
  noFindings: { vi: 'Chưa có kết quả kiểm tra.', en: 'No findings yet.' },
  conclusion: { vi: 'Kết luận', en: 'Conclusion' },
  visit: { vi: 'Kiểm tra tại đơn vị', en: 'Visit' },
  visitDate: { vi: 'Ngày kiểm tra', en: 'Visit date' },
  team: { vi: 'Thành viên đoàn', en: 'Team' },
  sampled: { vi: 'Xã được chọn kiểm tra', en: 'Sampled communes' },
  minutes: { vi: 'Biên bản', en: 'Minutes' },
  responsible: { vi: 'Trách nhiệm', en: 'Responsible' },
  progress: { vi: 'Tiến độ', en: 'Progress' },
  finding: { vi: 'Kết quả', en: 'Finding' },
  liveInspect: { vi: 'Xem trực tiếp bằng Stately Inspector (cần Internet)', en: 'Live view in the Stately Inspector (needs internet)' },
  liveInspectIntro: {
    vi: 'Trang này mở Stately Inspector (stately.ai) trong một cửa sổ mới và phát lại lịch sử của cuộc kiểm tra qua máy trạng thái. Cần kết nối Internet; sơ đồ trên trang cuộc kiểm tra hoạt động không cần Internet.',
    en: "This page opens the Stately Inspector (stately.ai) in a new window and replays the inspection's history through the statechart. It needs internet access; the diagram on the inspection page works offline.",
  },
  openInspector: { vi: 'Mở Stately Inspector', en: 'Open the Stately Inspector' },
  reason: { vi: 'Lý do', en: 'Reason' },
  // unit
  unitPage: { vi: 'Đơn vị', en: 'Unit' },
  inspections: { vi: 'Các cuộc kiểm tra', en: 'Inspections' },
  openDeadlines: { vi: 'Thời hạn đang mở', en: 'Open deadlines' },
  calendar: { vi: 'Lịch (ICS)', en: 'Calendar (ICS)' },
  calendarHint: {
    vi: 'Thêm đường dẫn này vào lịch Outlook, Google hoặc điện thoại để nhận các thời hạn của đơn vị.',
    en: "Subscribe to this address in Outlook, Google Calendar or your phone to get the unit's deadlines.",
  },
  calendarTokenHint: {
    vi: 'Thay <token> bằng mã truy cập của đơn vị.',
    en: "Replace <token> with the unit's access token.",
  },
  // reminders
  reminders: { vi: 'Nhắc việc và thông báo', en: 'Reminders and notifications' },
  pending: { vi: 'Chờ gửi', en: 'Pending' },
  sent: { vi: 'Đã gửi', en: 'Sent' },
  failed: { vi: 'Gửi lỗi', en: 'Failed' },
  retry: { vi: 'Gửi lại', en: 'Retry' },
  attempts: { vi: 'Số lần gửi', en: 'Attempts' },
  channel: { vi: 'Kênh', en: 'Channel' },
  sendAt: { vi: 'Thời điểm gửi', en: 'Send at' },
  offsetDays: { vi: 'Trước/sau hạn (ngày)', en: 'Offset (days)' },
  webhookDeliveries: { vi: 'Gửi webhook', en: 'Webhook deliveries' },
  remindersUnavailable: {
    vi: 'Chức năng nhắc việc chưa được cài đặt trên máy chủ này.',
    en: 'Reminders are not available on this server.',
  },
  // report
  reportIntro: {
    vi: 'Tổng hợp kết quả kiểm tra theo đơn vị và theo nhóm tiêu chí: ưu điểm, tồn tại hạn chế, cách làm hay và tình hình khắc phục.',
    en: 'Findings per unit and per criterion group: strengths, shortcomings, good practices, and remediation status.',
  },
  perGroup: { vi: 'Theo nhóm tiêu chí', en: 'By criterion group' },
  perUnit: { vi: 'Theo đơn vị', en: 'By unit' },
  group: { vi: 'Nhóm tiêu chí', en: 'Criterion group' },
  criterion: { vi: 'Tiêu chí', en: 'Criterion' },
  kind: { vi: 'Loại', en: 'Kind' },
  remediationStatus: { vi: 'Tình hình khắc phục', en: 'Remediation status' },
} satisfies Record<string, Text>;

export type MessageKey = keyof typeof MESSAGES;

export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return MESSAGES[key][lang].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

const STATES: Record<string, Text> = {
  planned: { vi: 'Đã lên kế hoạch', en: 'Planned' },
  selfReport: { vi: 'Báo cáo tự kiểm tra', en: 'Self-report' },
  'selfReport.requested': { vi: 'Đã yêu cầu báo cáo tự kiểm tra', en: 'Self-report requested' },
  'selfReport.overdue': { vi: 'Quá hạn báo cáo tự kiểm tra', en: 'Self-report overdue' },
  'selfReport.submitted': { vi: 'Đã nộp báo cáo tự kiểm tra', en: 'Self-report submitted' },
  visit: { vi: 'Kiểm tra tại đơn vị', en: 'Visit' },
  'visit.scheduled': { vi: 'Đã lên lịch kiểm tra', en: 'Visit scheduled' },
  'visit.inProgress': { vi: 'Đang kiểm tra tại đơn vị', en: 'Visit in progress' },
  findings: { vi: 'Ghi nhận kết quả', en: 'Findings' },
  remediation: { vi: 'Khắc phục', en: 'Remediation' },
  closed: { vi: 'Đã kết thúc', en: 'Closed' },
  cancelled: { vi: 'Đã hủy', en: 'Cancelled' },
  proposed: { vi: 'Đề xuất', en: 'Proposed' },
  decided: { vi: 'Đã quyết định kiểm tra', en: 'Decided' },
  draft: { vi: 'Dự thảo', en: 'Draft' },
  awaitingApproval: { vi: 'Chờ phê duyệt', en: 'Awaiting approval' },
  approved: { vi: 'Đã phê duyệt', en: 'Approved' },
  reported: { vi: 'Đã báo cáo', en: 'Reported' },
};

export function stateLabel(lang: Lang, state: string | null): string {
  if (state === null) return '—';
  return STATES[state]?.[lang] ?? state;
}

const EVENTS: Record<string, Text> = {
  CREATE: { vi: 'Khởi tạo', en: 'Created' },
  REQUEST_SELF_REPORT: { vi: 'Yêu cầu báo cáo tự kiểm tra', en: 'Request the self-report' },
  EXTEND_DEADLINE: { vi: 'Gia hạn báo cáo', en: 'Extend the deadline' },
  SUBMIT_SELF_REPORT: { vi: 'Nộp báo cáo tự kiểm tra', en: 'Submit the self-report' },
  REQUEST_REVISION: { vi: 'Yêu cầu bổ sung báo cáo', en: 'Request a revision' },
  SCHEDULE_VISIT: { vi: 'Lên lịch kiểm tra', en: 'Schedule the visit' },
  START_VISIT: { vi: 'Bắt đầu kiểm tra', en: 'Start the visit' },
  COMPLETE_VISIT: { vi: 'Kết thúc kiểm tra tại đơn vị', en: 'Complete the visit' },
  RECORD_FINDING: { vi: 'Ghi nhận kết quả', en: 'Record a finding' },
  ISSUE_CONCLUSION: { vi: 'Ban hành kết luận', en: 'Issue the conclusion' },
  REPORT_PROGRESS: { vi: 'Báo cáo tiến độ khắc phục', en: 'Report progress' },
  VERIFY_ITEM: { vi: 'Xác nhận kết quả khắc phục', en: 'Verify an item' },
  DECIDE: { vi: 'Quyết định kiểm tra', en: 'Decide' },
  REJECT: { vi: 'Không chấp thuận', en: 'Reject' },
  CANCEL: { vi: 'Hủy cuộc kiểm tra', en: 'Cancel the inspection' },
  SUBMIT: { vi: 'Trình phê duyệt', en: 'Submit for approval' },
  APPROVE: { vi: 'Phê duyệt', en: 'Approve' },
  RETURN: { vi: 'Trả lại', en: 'Return' },
  REPORT: { vi: 'Báo cáo kết quả', en: 'Report the results' },
};

export function eventLabel(lang: Lang, type: string): string {
  if (type.startsWith('xstate.after.')) return lang === 'vi' ? 'Hết hạn (tự động)' : 'Deadline passed (automatic)';
  if (type.startsWith('after ')) return lang === 'vi' ? 'khi hết hạn' : 'when due';
  if (type === 'always') return lang === 'vi' ? 'khi mọi nội dung đã xác nhận' : 'when all verified';
  return EVENTS[type]?.[lang] ?? type;
}

const ROLE_NAMES: Record<string, Text> = {
  admin: { vi: 'Quản trị', en: 'Administrator' },
  coordinator: { vi: 'Sở Nội vụ', en: 'Coordinator' },
  inspector: { vi: 'Đoàn kiểm tra', en: 'Inspector' },
  chairman: { vi: 'Chủ tịch UBND tỉnh', en: 'Chairman' },
  unit: { vi: 'Đơn vị', en: 'Unit' },
  observer: { vi: 'Quan sát viên', en: 'Observer' },
  system: { vi: 'Hệ thống', en: 'System' },
};

export function roleLabel(lang: Lang, role: string): string {
  return ROLE_NAMES[role]?.[lang] ?? role;
}

const WORDS: Record<string, Text> = {
  // finding kinds
  strength: { vi: 'Ưu điểm', en: 'Strength' },
  shortcoming: { vi: 'Tồn tại, hạn chế', en: 'Shortcoming' },
  goodPractice: { vi: 'Cách làm hay', en: 'Good practice' },
  // remediation item statuses
  open: { vi: 'Đang khắc phục', en: 'Open' },
  reported: { vi: 'Đã báo cáo hoàn thành', en: 'Reported' },
  verified: { vi: 'Đã xác nhận', en: 'Verified' },
  // deadline kinds and statuses
  'deadline.selfReport': { vi: 'Báo cáo tự kiểm tra', en: 'Self-report' },
  'deadline.visit': { vi: 'Kiểm tra tại đơn vị', en: 'Visit' },
  'deadline.conclusion': { vi: 'Thông báo kết luận', en: 'Conclusion notice' },
  'deadline.remediation': { vi: 'Khắc phục', en: 'Remediation' },
  'status.open': { vi: 'Đang mở', en: 'Open' },
  'status.met': { vi: 'Đã hoàn thành', en: 'Met' },
  'status.missed': { vi: 'Quá hạn', en: 'Missed' },
  'status.cancelled': { vi: 'Đã hủy', en: 'Cancelled' },
  'status.pending': { vi: 'Chờ gửi', en: 'Pending' },
  'status.sent': { vi: 'Đã gửi', en: 'Sent' },
  'status.failed': { vi: 'Gửi lỗi', en: 'Failed' },
  'status.delivered': { vi: 'Đã gửi', en: 'Delivered' },
  // unit kinds
  'kind.province': { vi: 'Tỉnh', en: 'Province' },
  'kind.department': { vi: 'Sở, ban, ngành', en: 'Departments' },
  'kind.district': { vi: 'UBND cấp huyện', en: 'Districts' },
  'kind.commune': { vi: 'UBND cấp xã', en: 'Communes' },
};

export function word(lang: Lang, key: string): string {
  return WORDS[key]?.[lang] ?? key.replace(/^\w+\./, '');
}

/** Dates as officials write them: 15/07/2020. */
export function formatDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : isoDate;
}

/** An instant in the deadline time zone: 15/07/2020 10:00. */
export function formatInstant(instant: string | Date, timeZone: string): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${Math.round(ratio * 1000) / 10} %`;
}
