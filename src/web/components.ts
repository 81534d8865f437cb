import type { CoverageResult } from '../domain/coverage.js';
import { html, type SafeHtml } from './html.js';
import { formatDate, percent, stateLabel, t, word, type Lang } from './i18n.js';

/** Pieces several pages share: state badges, deadline countdowns, gauges, progress bars. */

export function stateBadge(lang: Lang, state: string): SafeHtml {
  const stage = state.split('.')[0]!;
  const alert = state.endsWith('.overdue') ? ' overdue' : '';
  return html`<span class="badge state-${stage}${alert}" data-state="${state}">${stateLabel(lang, state)}</span>`;
}

const DAY_MS = 86_400_000;

export interface DeadlineLike {
  kind: string;
  subject: string;
  dueDate: string;
  dueAt: string;
  status: string;
}

export function isOverdue(d: DeadlineLike, now: Date): boolean {
  return d.status === 'missed' || (d.status === 'open' && Date.parse(d.dueAt) < now.getTime());
}

/** "còn 3 ngày", "hết hạn hôm nay" or an overdue badge, counted in whole days against the service clock. */
export function countdown(lang: Lang, d: DeadlineLike, now: Date): SafeHtml {
  if (isOverdue(d, now)) {
    const days = Math.max(1, Math.ceil((now.getTime() - Date.parse(d.dueAt)) / DAY_MS));
    return html`<span class="badge overdue">${t(lang, 'overdueBy', { n: days })}</span>`;
  }
  if (d.status !== 'open') return html`<span class="badge status-${d.status}">${word(lang, `status.${d.status}`)}</span>`;
  const days = Math.floor((Date.parse(d.dueAt) - now.getTime()) / DAY_MS);
  return days <= 0
    ? html`<span class="badge due-soon">${t(lang, 'dueToday')}</span>`
    : html`<span class="badge ${days <= 3 ? 'due-soon' : 'due-later'}">${t(lang, 'dueIn', { n: days })}</span>`;
}

export function deadlineSubject(lang: Lang, d: DeadlineLike): string {
  const kind = word(lang, `deadline.${d.kind}`);
  return d.kind === 'remediation' ? `${kind} ${d.subject}` : kind;
}

export function deadlineTable(lang: Lang, deadlines: DeadlineLike[], now: Date, extra?: (d: DeadlineLike) => SafeHtml): SafeHtml {
  if (deadlines.length === 0) return html`<p class="muted">${t(lang, 'none')}</p>`;
  return html`<div class="table-wrap"><table class="deadlines">
    <thead><tr>${extra ? html`<th scope="col">${t(lang, 'inspection')}</th>` : ''}<th scope="col">${t(lang, 'what')}</th><th scope="col">${t(lang, 'dueDate')}</th><th scope="col">${t(lang, 'state')}</th></tr></thead>
    <tbody>${deadlines.map(
      (d) => html`<tr class="${isOverdue(d, now) ? 'is-overdue' : ''}">${extra ? html`<td>${extra(d)}</td>` : ''}
        <td>${deadlineSubject(lang, d)}</td><td><time datetime="${d.dueAt}">${formatDate(d.dueDate)}</time></td><td>${countdown(lang, d, now)}</td></tr>`,
    )}</tbody></table></div>`;
}

/** A coverage rule as a horizontal gauge: achieved share, the required band marked, red when not met. */
export function coverageGauge(lang: Lang, c: CoverageResult): SafeHtml {
  const W = 260;
  const H = 18;
  const fill = Math.round(Math.min(1, c.ratio ?? 0) * W);
  const minX = Math.round(c.minRatio * W);
  const maxX = c.maxRatio !== undefined ? Math.round(c.maxRatio * W) : W;
  const required = c.maxRatio !== undefined ? `${percent(c.minRatio)}–${percent(c.maxRatio)}` : `≥ ${percent(c.minRatio)}`;
  const kind = word(lang, `kind.${c.kind}`);
  const caption = t(lang, 'coverageRule', { kind, req: required, got: percent(c.ratio), inspected: c.inspected, total: c.total });
  const status = c.ok ? 'ok' : 'fail';
  return html`<figure class="gauge ${status}" data-kind="${c.kind}">
    <svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${caption}">
      <rect class="gauge-track" x="0" y="0" width="${W}" height="${H}" rx="4"/>
      <rect class="gauge-band" x="${minX}" y="0" width="${Math.max(2, maxX - minX)}" height="${H}"/>
      <rect class="gauge-fill" x="0" y="3" width="${fill}" height="${H - 6}" rx="3"/>
      <line class="gauge-min" x1="${minX}" x2="${minX}" y1="0" y2="${H}"/>
    </svg>
    <figcaption>${caption} — <strong class="gauge-status">${c.ok ? t(lang, 'coverageOk') : t(lang, 'coverageFail')}</strong>
      ${c.checkedAt === 'visit' ? html`<span class="muted"> (${t(lang, 'coverageAtVisit')}${c.detail ? `; ${c.detail}` : ''})</span>` : ''}</figcaption>
  </figure>`;
}

export function progressBar(value: number, label: string): SafeHtml {
  return html`<span class="progress"><progress max="100" value="${value}" aria-label="${label}">${value} %</progress> <span class="progress-value">${value} %</span></span>`;
}

export interface ShownIssue {
  path: string;
  message: string;
}

export function problemBox(lang: Lang, status: number, detail: string, issues: ShownIssue[]): SafeHtml {
  return html`<div class="problem" role="alert" tabindex="-1" id="problem" data-status="${status}">
    <h3>${t(lang, 'problemTitle')}</h3>
    <p>${detail}</p>
    ${issues.length ? html`<ul>${issues.map((i) => html`<li><code>${i.path}</code>: ${i.message}</li>`)}</ul>` : ''}
  </div>`;
}
