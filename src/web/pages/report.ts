import { criterionGroups, findCriterion, type CriterionGroup } from '../../../machines/criteria.js';
import type { Finding } from '../../../machines/index.js';
import { getPlan } from '../../domain/plans.js';
import { progressBar, stateBadge } from '../components.js';
import type { Page, PageContext } from '../context.js';
import { toCsv } from '../csv.js';
import { closureRate, inspectionContents, unitNames, type InspectionContent } from '../data.js';
import { html } from '../html.js';
import { formatDate, percent, stateLabel, t, word, type Lang } from '../i18n.js';

const KINDS = ['strength', 'shortcoming', 'goodPractice'] as const;

const groupOf = (f: Finding): CriterionGroup => (f.group ?? findCriterion(f.criterionCode)?.group ?? 's') as CriterionGroup;

async function reportData(ctx: PageContext, planId: string) {
  const { db, principal } = ctx;
  const plan = await getPlan(db, planId, principal.role === 'unit' ? (principal.unitCode ?? '') : null);
  const [names, contents] = await Promise.all([
    unitNames(db, plan.inspections.map((i) => i.unitCode)),
    inspectionContents(db, plan.inspections.map((i) => i.id)),
  ]);
  return { plan, names, contents };
}

function unitSection(lang: Lang, c: InspectionContent, name: string) {
  const groups = [...new Set(c.findings.map(groupOf))].sort();
  const closure = closureRate([c]);
  return html`<section class="report-unit" aria-labelledby="u-${c.id}" data-unit="${c.unitCode ?? ''}">
    <h3 id="u-${c.id}"><a href="/ui/inspections/${c.id}">${name}</a> ${stateBadge(lang, c.state)}</h3>
    ${c.conclusion ? html`<p class="prose"><strong>${t(lang, 'conclusion')}:</strong> ${c.conclusion.summary}</p>` : ''}
    ${groups.length
      ? html`<div class="table-wrap"><table class="report-table">
        <thead><tr><th scope="col">${t(lang, 'group')}</th>${KINDS.map((k) => html`<th scope="col">${word(lang, k)}</th>`)}</tr></thead>
        <tbody>${groups.map(
          (g) => html`<tr><th scope="row">${g}) ${criterionGroups[g][lang]}</th>${KINDS.map((k) => {
            const list = c.findings.filter((f) => groupOf(f) === g && f.kind === k);
            return html`<td>${list.length ? html`<ul>${list.map((f) => html`<li><strong>${f.criterionCode}</strong> ${f.text}</li>`)}</ul>` : ''}</td>`;
          })}</tr>`,
        )}</tbody></table></div>`
      : html`<p class="muted">${t(lang, 'noFindings')}</p>`}
    ${c.remediation.length
      ? html`<p><strong>${t(lang, 'remediationStatus')}:</strong> ${closure.verified}/${closure.issued} ${word(lang, 'verified').toLowerCase()}</p>
        <ul class="remediation compact">${c.remediation.map(
          (r) => html`<li>${r.id} ${r.action} — ${progressBar(r.percent, `${r.id}`)} <span class="badge status-${r.status}">${word(lang, r.status)}</span> (${formatDate(r.dueDate)})</li>`,
        )}</ul>`
      : ''}
  </section>`;
}

export async function reportPage(ctx: PageContext, planId: string): Promise<Page> {
  const { lang } = ctx;
  const { plan, names, contents } = await reportData(ctx, planId);
  const all = contents.flatMap((c) => c.findings);
  const groups = [...new Set(all.map(groupOf))].sort();
  const closure = closureRate(contents);
  return {
    title: `${t(lang, 'report')} — ${plan.title}`,
    topics: [`plan:${plan.id}`],
    main: html`<p class="crumbs no-print"><a href="/ui/plans/${plan.id}">${plan.title}</a></p>
      <h1>${t(lang, 'report')}</h1>
      <p class="report-plan">${plan.title} (${plan.decisionNo ?? ''})</p>
      <p>${t(lang, 'reportIntro')}</p>
      <p class="actions-row no-print"><a class="button" href="/ui/plans/${plan.id}/report.csv" download>${t(lang, 'downloadCsv')}</a>
        <button type="button" class="secondary" data-print>${t(lang, 'print')}</button></p>
      <p><strong>${t(lang, 'closureRate')}:</strong> ${percent(closure.ratio)} — ${t(lang, 'closureRateDetail', { verified: closure.verified, issued: closure.issued })}</p>
      <section aria-labelledby="pg-h"><h2 id="pg-h">${t(lang, 'perGroup')}</h2>
        ${groups.length
          ? html`<div class="table-wrap"><table class="report-table">
            <thead><tr><th scope="col">${t(lang, 'group')}</th>${KINDS.map((k) => html`<th scope="col">${word(lang, k)}</th>`)}<th scope="col">${t(lang, 'unit')}</th></tr></thead>
            <tbody>${groups.map((g) => {
              const list = all.filter((f) => groupOf(f) === g);
              const units = contents.filter((c) => c.findings.some((f) => groupOf(f) === g)).length;
              return html`<tr data-group="${g}"><th scope="row">${g}) ${criterionGroups[g][lang]}</th>${KINDS.map(
                (k) => html`<td>${list.filter((f) => f.kind === k).length}</td>`,
              )}<td>${units}</td></tr>`;
            })}</tbody></table></div>`
          : html`<p class="muted">${t(lang, 'noFindings')}</p>`}
      </section>
      <section aria-labelledby="pu-h"><h2 id="pu-h">${t(lang, 'perUnit')}</h2>
        ${contents.map((c) => unitSection(lang, c, names.get(c.unitCode ?? '') ?? c.unitCode ?? ''))}
      </section>`,
    scripts: ['/ui/assets/print.js'],
  };
}

export async function reportCsv(ctx: PageContext, planId: string): Promise<{ filename: string; body: string }> {
  const { lang } = ctx;
  const { plan, names, contents } = await reportData(ctx, planId);
  const header =
    lang === 'vi'
      ? ['Mã đơn vị', 'Đơn vị', 'Trạng thái', 'Nhóm tiêu chí', 'Tên nhóm tiêu chí', 'Tiêu chí', 'Mã kết quả', 'Loại', 'Nội dung', 'Trách nhiệm', 'Khắc phục', 'Tình hình khắc phục', 'Tiến độ (%)']
      : ['Unit code', 'Unit', 'State', 'Criterion group', 'Group name', 'Criterion', 'Finding', 'Kind', 'Text', 'Responsible', 'Remediation', 'Remediation status', 'Progress (%)'];
  const rows: (string | number)[][] = [header];
  for (const c of contents) {
    const unit = c.unitCode ?? '';
    const base = [unit, names.get(unit) ?? unit, stateLabel(lang, c.state)];
    for (const f of c.findings) {
      const g = groupOf(f);
      const items = c.remediation.filter((r) => r.findingId === f.id);
      rows.push([
        ...base,
        g,
        criterionGroups[g][lang],
        f.criterionCode,
        f.id,
        word(lang, f.kind),
        f.text,
        f.responsible ?? '',
        items.map((r) => `${r.id}: ${r.action}`).join('; '),
        items.map((r) => word(lang, r.status)).join('; '),
        items.map((r) => r.percent).join('; '),
      ]);
    }
    for (const r of c.remediation.filter((r) => !r.findingId || !c.findings.some((f) => f.id === r.findingId))) {
      rows.push([...base, '', '', '', '', '', '', r.responsible ?? '', `${r.id}: ${r.action}`, word(lang, r.status), r.percent]);
    }
  }
  return { filename: `ket-qua-kiem-tra-cchc-${plan.year}.csv`, body: toCsv(rows) };
}
