import { randomUUID } from 'node:crypto';
import { criteria, criterionCodesFor, criterionGroups, type CriterionGroup } from '../../machines/criteria.js';
import type { Finding, RemediationItem } from '../../machines/index.js';
import { html, when, type SafeHtml } from './html.js';
import { eventLabel, word, type Lang } from './i18n.js';

/**
 * One form per event the caller may send now. Field names are the payload's
 * own paths (`dueDate`, `remediation.0.action`), so the issues the API
 * reports (`path`, `message`) land next to the field they are about.
 */

export type FormBody = Record<string, string | string[] | undefined>;

export interface FormState {
  /** The event whose form was sent and refused, with what was typed. */
  type?: string;
  values?: FormBody;
  issues?: { path: string; message: string }[];
}

export interface FormContext {
  lang: Lang;
  inspectionId: string;
  version: number;
  csrf: string;
  kind: 'planned' | 'surprise';
  contents: string[];
  findings: Finding[];
  remediation: RemediationItem[];
  /** Sub-units a visit may sample (communes of a district). */
  children: { code: string; name: string }[];
  today: string;
}

type L = { vi: string; en: string };
const L = (lang: Lang, l: L) => l[lang];

const LABELS = {
  dueDate: { vi: 'Hạn nộp', en: 'Due date' },
  dueInWorkingDays: { vi: 'hoặc số ngày làm việc', en: 'or working days from today' },
  outline: { vi: 'Đề cương báo cáo (nội dung hoặc đường dẫn)', en: 'Outline (text or link)' },
  reason: { vi: 'Lý do', en: 'Reason' },
  summary: { vi: 'Nội dung tóm tắt', en: 'Summary' },
  documents: { vi: 'Hồ sơ, tài liệu kiểm chứng (mỗi dòng: tên | đường dẫn)', en: 'Evidence documents (one a line: title | link)' },
  date: { vi: 'Ngày kiểm tra', en: 'Visit date' },
  team: { vi: 'Thành viên đoàn (mỗi dòng một người)', en: 'Team members (one a line)' },
  sampledUnits: { vi: 'Xã, phường, thị trấn được chọn kiểm tra', en: 'Communes sampled' },
  minutes: { vi: 'Biên bản kiểm tra', en: 'Minutes' },
  criterionCode: { vi: 'Tiêu chí', en: 'Criterion' },
  findingKind: { vi: 'Loại kết quả', en: 'Kind' },
  text: { vi: 'Nội dung', en: 'Text' },
  responsible: { vi: 'Trách nhiệm (tổ chức, cá nhân)', en: 'Responsible (organisation, person)' },
  conclusionSummary: { vi: 'Nội dung kết luận', en: 'Conclusion' },
  remediationRows: { vi: 'Yêu cầu khắc phục (để trống nếu không có)', en: 'Remediation required (leave empty if none)' },
  action: { vi: 'Việc cần khắc phục', en: 'Action' },
  findingId: { vi: 'Theo kết quả', en: 'For finding' },
  itemId: { vi: 'Nội dung khắc phục', en: 'Remediation item' },
  percent: { vi: 'Tiến độ (%)', en: 'Progress (%)' },
  note: { vi: 'Ghi chú', en: 'Note' },
  accepted: { vi: 'Kết quả xác nhận', en: 'Decision' },
  accept: { vi: 'Chấp nhận', en: 'Accept' },
  rejectItem: { vi: 'Chưa đạt, yêu cầu tiếp tục khắc phục', en: 'Not yet: send back' },
  decisionNo: { vi: 'Số quyết định', en: 'Decision no.' },
  visitDate: { vi: 'Ngày dự kiến kiểm tra', en: 'Intended visit date' },
  none: { vi: '— không —', en: '— none —' },
  choose: { vi: '— chọn —', en: '— choose —' },
} satisfies Record<string, L>;

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
const all = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => s.trim()).filter(Boolean);

/** The event payload a form describes; empty fields are left out so the machine's schema reports what is missing. */
export function eventFromForm(type: string, body: FormBody): Record<string, unknown> {
  const event: Record<string, unknown> = { type };
  const put = (key: string, value: unknown) => {
    if (value !== '' && value !== undefined) event[key] = value;
  };
  const num = (s: string) => (s === '' ? '' : /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s);
  const lines = (key: string) =>
    first(body[key])
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  switch (type) {
    case 'REQUEST_SELF_REPORT':
      put('dueDate', first(body.dueDate));
      put('dueInWorkingDays', num(first(body.dueInWorkingDays)));
      put('outline', first(body.outline));
      break;
    case 'EXTEND_DEADLINE':
    case 'REQUEST_REVISION':
      put('dueDate', first(body.dueDate));
      put('reason', first(body.reason));
      break;
    case 'SUBMIT_SELF_REPORT': {
      put('summary', first(body.summary));
      const docs = lines('documents').map((line) => {
        const [title, url] = line.split('|').map((s) => s.trim());
        return url ? { title: title ?? '', url } : { title: title ?? '' };
      });
      if (docs.length) event.documents = docs;
      break;
    }
    case 'SCHEDULE_VISIT': {
      put('date', first(body.date));
      const team = lines('team');
      if (team.length) event.team = team;
      const sampled = all(body.sampledUnits);
      if (sampled.length) event.sampledUnits = sampled;
      break;
    }
    case 'COMPLETE_VISIT':
      put('minutes', first(body.minutes));
      break;
    case 'RECORD_FINDING':
      put('criterionCode', first(body.criterionCode));
      put('kind', first(body.kind));
      put('text', first(body.text));
      put('responsible', first(body.responsible));
      break;
    case 'ISSUE_CONCLUSION': {
      put('summary', first(body.summary));
      const rows: Record<string, unknown>[] = [];
      for (let i = 0; i < 50; i += 1) {
        if (!(`remediation.${i}.action` in body)) break;
        const row: Record<string, unknown> = {};
        for (const key of ['action', 'dueDate', 'findingId', 'responsible']) {
          const value = first(body[`remediation.${i}.${key}`]);
          if (value !== '') row[key] = value;
        }
        // A row with only its finding preselected is an unused row, not an incomplete one.
        if (row.action !== undefined || row.dueDate !== undefined || row.responsible !== undefined) rows.push(row);
      }
      event.remediation = rows;
      break;
    }
    case 'REPORT_PROGRESS':
      put('itemId', first(body.itemId));
      put('percent', num(first(body.percent)));
      put('note', first(body.note));
      break;
    case 'VERIFY_ITEM': {
      put('itemId', first(body.itemId));
      const accepted = first(body.accepted);
      put('accepted', accepted === 'true' ? true : accepted === 'false' ? false : '');
      put('note', first(body.note));
      break;
    }
    case 'DECIDE':
      put('decisionNo', first(body.decisionNo));
      put('visitDate', first(body.visitDate));
      break;
    case 'REJECT':
    case 'CANCEL':
      put('reason', first(body.reason));
      break;
  }
  return event;
}

/** The field an API issue path is about: `body.dueDate` → `dueDate`, `documents.0.url` → `documents`. */
function issuesFor(state: FormState, type: string, field: string): string[] {
  if (state.type !== type) return [];
  return (state.issues ?? [])
    .filter((i) => {
      const path = i.path.replace(/^body\./, '');
      return path === field || path.startsWith(`${field}.`);
    })
    .map((i) => i.message);
}

interface FieldOptions {
  lang: Lang;
  type: string;
  state: FormState;
  name: string;
  label: string;
  required?: boolean;
  /** Issues of this path are shown here too (a textarea standing for a list). */
  issuePath?: string;
}

function fieldId(type: string, name: string) {
  return `f-${type}-${name.replace(/[^\w-]/g, '-')}`;
}

function value(o: FieldOptions): string {
  return o.state.type === o.type ? first(o.state.values?.[o.name]) : '';
}

function errors(o: FieldOptions): SafeHtml | string {
  const messages = issuesFor(o.state, o.type, o.issuePath ?? o.name);
  if (!messages.length) return '';
  return html`<span class="field-error" id="${fieldId(o.type, o.name)}-err">${messages.join('; ')}</span>`;
}

function describedBy(o: FieldOptions): SafeHtml | string {
  return issuesFor(o.state, o.type, o.issuePath ?? o.name).length
    ? html` aria-describedby="${fieldId(o.type, o.name)}-err" aria-invalid="true"`
    : '';
}

function input(o: FieldOptions, inputType: string, extra: SafeHtml | string = ''): SafeHtml {
  const id = fieldId(o.type, o.name);
  return html`<div class="field"><label for="${id}">${o.label}</label>
    <input id="${id}" name="${o.name}" type="${inputType}" value="${value(o)}"${when(!!o.required, ' required')}${describedBy(o)}${extra}>
    ${errors(o)}</div>`;
}

function textarea(o: FieldOptions, rows = 3): SafeHtml {
  const id = fieldId(o.type, o.name);
  return html`<div class="field"><label for="${id}">${o.label}</label>
    <textarea id="${id}" name="${o.name}" rows="${rows}"${when(!!o.required, ' required')}${describedBy(o)}>${value(o)}</textarea>
    ${errors(o)}</div>`;
}

function select(o: FieldOptions, options: { value: string; label: string; group?: string }[], placeholder?: string): SafeHtml {
  const id = fieldId(o.type, o.name);
  const current = value(o);
  const groups = [...new Set(options.map((op) => op.group ?? ''))];
  const optionList = (list: typeof options) =>
    list.map((op) => html`<option value="${op.value}"${when(op.value === current, ' selected')}>${op.label}</option>`);
  return html`<div class="field"><label for="${id}">${o.label}</label>
    <select id="${id}" name="${o.name}"${when(!!o.required, ' required')}${describedBy(o)}>
      ${placeholder !== undefined ? html`<option value="">${placeholder}</option>` : ''}
      ${groups.length > 1 || groups[0]
        ? groups.map((g) => html`<optgroup label="${g}">${optionList(options.filter((op) => (op.group ?? '') === g))}</optgroup>`)
        : optionList(options)}
    </select>${errors(o)}</div>`;
}

function fields(ctx: FormContext, type: string, state: FormState): SafeHtml | string {
  const { lang } = ctx;
  const f = (name: string, label: L, extra: Partial<FieldOptions> = {}): FieldOptions => ({
    lang,
    type,
    state,
    name,
    label: L(lang, label),
    ...extra,
  });
  switch (type) {
    case 'REQUEST_SELF_REPORT':
      return html`<div class="row">${input(f('dueDate', LABELS.dueDate), 'date', html` min="${ctx.today}"`)}
        ${input(f('dueInWorkingDays', LABELS.dueInWorkingDays), 'number', html` min="1" max="365" inputmode="numeric"`)}</div>
        ${textarea(f('outline', LABELS.outline))}`;
    case 'EXTEND_DEADLINE':
    case 'REQUEST_REVISION':
      return html`${input(f('dueDate', LABELS.dueDate, { required: true }), 'date')}${textarea(f('reason', LABELS.reason, { required: true }), 2)}`;
    case 'SUBMIT_SELF_REPORT':
      return html`${textarea(f('summary', LABELS.summary, { required: true }), 4)}${textarea(f('documents', LABELS.documents), 3)}`;
    case 'SCHEDULE_VISIT': {
      const chosen = state.type === type ? all(state.values?.sampledUnits) : [];
      const sample = ctx.children.length
        ? html`<fieldset class="field checkboxes"><legend>${L(lang, LABELS.sampledUnits)}</legend>
            ${ctx.children.map(
              (c) => html`<label><input type="checkbox" name="sampledUnits" value="${c.code}"${when(chosen.includes(c.code), ' checked')}> ${c.name}</label>`,
            )}${errors(f('sampledUnits', LABELS.sampledUnits))}</fieldset>`
        : '';
      return html`${input(f('date', LABELS.date, { required: true }), 'date')}${textarea(f('team', LABELS.team), 2)}${sample}`;
    }
    case 'COMPLETE_VISIT':
      return textarea(f('minutes', LABELS.minutes), 3);
    case 'RECORD_FINDING': {
      const codes = ctx.kind === 'planned' ? criterionCodesFor('planned') : ctx.contents;
      const options = criteria
        .filter((c) => codes.includes(c.code))
        .map((c) => ({
          value: c.code,
          label: `${c.code} — ${c.title[lang]}`,
          group: `${c.group}) ${criterionGroups[c.group as CriterionGroup][lang]}`,
        }));
      const kinds = ['strength', 'shortcoming', 'goodPractice'].map((k) => ({ value: k, label: word(lang, k) }));
      return html`${select(f('criterionCode', LABELS.criterionCode, { required: true }), options, L(lang, LABELS.choose))}
        ${select(f('kind', LABELS.findingKind, { required: true }), kinds, L(lang, LABELS.choose))}
        ${textarea(f('text', LABELS.text, { required: true }), 3)}${input(f('responsible', LABELS.responsible), 'text')}`;
    }
    case 'ISSUE_CONCLUSION': {
      const shortcomings = ctx.findings.filter((x) => x.kind === 'shortcoming');
      const rowCount = Math.max(3, shortcomings.length + 1);
      const findingOptions = ctx.findings.map((x) => ({ value: x.id, label: `${x.id} — ${x.text.slice(0, 60)}` }));
      const rows = Array.from({ length: rowCount }, (_, i) => {
        const preset = shortcomings[i]?.id ?? '';
        const rowState: FormState =
          state.type === type ? state : { type, values: { [`remediation.${i}.findingId`]: preset } };
        const rf = (key: string, label: L) => f(`remediation.${i}.${key}`, label, { state: rowState });
        return html`<fieldset class="remediation-row"><legend>${L(lang, LABELS.action)} ${i + 1}</legend>
          ${textarea(rf('action', LABELS.action), 2)}
          <div class="row">${input(rf('dueDate', LABELS.dueDate), 'date')}
          ${select(rf('findingId', LABELS.findingId), findingOptions, L(lang, LABELS.none))}</div>
          ${input(rf('responsible', LABELS.responsible), 'text')}</fieldset>`;
      });
      return html`${textarea(f('summary', LABELS.conclusionSummary, { required: true }), 4)}
        <p class="hint">${L(lang, LABELS.remediationRows)}</p>${errors(f('remediation', LABELS.remediationRows))}${rows}`;
    }
    case 'REPORT_PROGRESS': {
      const items = ctx.remediation.filter((r) => r.status !== 'verified');
      const options = items.map((r) => ({ value: r.id, label: `${r.id} — ${r.action.slice(0, 70)} (${r.percent} %)` }));
      return html`${select(f('itemId', LABELS.itemId, { required: true }), options, L(lang, LABELS.choose))}
        ${input(f('percent', LABELS.percent, { required: true }), 'number', html` min="0" max="100" step="1" inputmode="numeric"`)}
        ${textarea(f('note', LABELS.note), 2)}`;
    }
    case 'VERIFY_ITEM': {
      const items = ctx.remediation.filter((r) => r.status === 'reported');
      const options = items.map((r) => ({ value: r.id, label: `${r.id} — ${r.action.slice(0, 70)}` }));
      const current = state.type === type ? first(state.values?.accepted) : 'true';
      const name = 'accepted';
      return html`${select(f('itemId', LABELS.itemId, { required: true }), options, L(lang, LABELS.choose))}
        <fieldset class="field radios"><legend>${L(lang, LABELS.accepted)}</legend>
          <label><input type="radio" name="${name}" value="true"${when(current === 'true', ' checked')}> ${L(lang, LABELS.accept)}</label>
          <label><input type="radio" name="${name}" value="false"${when(current === 'false', ' checked')}> ${L(lang, LABELS.rejectItem)}</label>
          ${errors(f(name, LABELS.accepted))}</fieldset>
        ${textarea(f('note', LABELS.note), 2)}`;
    }
    case 'DECIDE':
      return html`${input(f('decisionNo', LABELS.decisionNo, { required: true }), 'text')}${input(f('visitDate', LABELS.visitDate), 'date')}`;
    case 'REJECT':
    case 'CANCEL':
      return textarea(f('reason', LABELS.reason, { required: true }), 2);
    default:
      return '';
  }
}

/** The form of one event: CSRF token, the version it was drawn from (If-Match) and an idempotency key against double submits. */
export function eventForm(ctx: FormContext, type: string, state: FormState): SafeHtml {
  const danger = type === 'CANCEL' || type === 'REJECT';
  const open = state.type === type;
  return html`<details class="event-form${danger ? ' danger' : ''}"${when(open || ['START_VISIT'].includes(type), ' open')} data-event="${type}">
    <summary>${eventLabel(ctx.lang, type)}</summary>
    <form method="post" action="/ui/inspections/${ctx.inspectionId}/events" novalidate>
      <input type="hidden" name="_csrf" value="${ctx.csrf}">
      <input type="hidden" name="type" value="${type}">
      <input type="hidden" name="version" value="${ctx.version}">
      <input type="hidden" name="idempotencyKey" value="${randomUUID()}">
      ${fields(ctx, type, state)}
      <button type="submit" class="${danger ? 'danger' : 'primary'}">${eventLabel(ctx.lang, type)}</button>
    </form></details>`;
}
