import { getPlan, listPlans } from '../../domain/plans.js';
import { coverageGauge, isOverdue, stateBadge } from '../components.js';
import type { Page, PageContext } from '../context.js';
import { closureRate, deadlinesOf, inspectionContents, unitNames } from '../data.js';
import { html } from '../html.js';
import { formatDate, percent, stateLabel, t, word } from '../i18n.js';

/** Lifecycle stages, one board column each; a state belongs to the stage named by its first segment. */
export const STAGES = ['planned', 'selfReport', 'visit', 'findings', 'remediation', 'closed', 'cancelled'] as const;

export function stageOf(state: string): string {
  const top = state.split('.')[0]!;
  return top === 'proposed' || top === 'decided' ? 'planned' : top;
}

export async function plansPage(ctx: PageContext): Promise<Page> {
  const { lang } = ctx;
  const plans = await listPlans(ctx.db, {});
  return {
    title: t(lang, 'plans'),
    main: html`<h1>${t(lang, 'plans')}</h1>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">${t(lang, 'year')}</th><th scope="col">${t(lang, 'title')}</th><th scope="col">${t(lang, 'state')}</th><th scope="col">${t(lang, 'targets')}</th></tr></thead>
        <tbody>${plans.map(
          (p) => html`<tr><td>${p.year}</td><td><a href="/ui/plans/${p.id}">${p.title}</a></td><td>${stateBadge(lang, p.state)}</td><td>${p.targets}</td></tr>`,
        )}</tbody></table></div>`,
  };
}

export async function planPage(ctx: PageContext, id: string): Promise<Page> {
  const { lang, db, now, principal } = ctx;
  const plan = await getPlan(db, id, principal.role === 'unit' ? (principal.unitCode ?? '') : null);
  const ids = plan.inspections.map((i) => i.id);
  const [names, deadlines, contents] = await Promise.all([
    unitNames(db, plan.inspections.map((i) => i.unitCode)),
    deadlinesOf(db, ids),
    inspectionContents(db, ids),
  ]);
  const overdue = deadlines.filter((d) => isOverdue(d, now));
  const overdueByInspection = new Set(overdue.map((d) => d.inspectionId));
  const overdueByKind = new Map<string, number>();
  for (const d of overdue) overdueByKind.set(d.kind, (overdueByKind.get(d.kind) ?? 0) + 1);
  const byState = new Map<string, number>();
  for (const i of plan.inspections) byState.set(i.state, (byState.get(i.state) ?? 0) + 1);
  const closure = closureRate(contents);
  const remediationOf = new Map(contents.map((c) => [c.id, c.remediation]));

  const board = html`<section aria-labelledby="board-h"><h2 id="board-h">${t(lang, 'board')}</h2>
    <div class="board">${STAGES.map((stage) => {
      const cards = plan.inspections.filter((i) => stageOf(i.state) === stage);
      return html`<section class="column stage-${stage}" aria-labelledby="col-${stage}" data-stage="${stage}">
        <h3 id="col-${stage}">${stateLabel(lang, stage)} <span class="count">${cards.length}</span></h3>
        <ul class="cards">${cards.map((i) => {
          const items = remediationOf.get(i.id) ?? [];
          const verified = items.filter((r) => r.status === 'verified').length;
          return html`<li class="card${overdueByInspection.has(i.id) ? ' is-overdue' : ''}" data-inspection="${i.id}">
            <a href="/ui/inspections/${i.id}"><span class="card-unit">${names.get(i.unitCode ?? '') ?? i.unitCode}</span></a>
            <span class="card-meta">${stateBadge(lang, i.state)}${overdueByInspection.has(i.id) ? html` <span class="badge overdue">${t(lang, 'overdue')}</span>` : ''}</span>
            ${items.length ? html`<span class="card-meta muted">${t(lang, 'remediation')}: ${verified}/${items.length}</span>` : ''}
          </li>`;
        })}</ul></section>`;
    })}</div></section>`;

  return {
    title: plan.title,
    topics: [`plan:${plan.id}`],
    main: html`<p class="crumbs"><a href="/ui/plans">${t(lang, 'plans')}</a></p>
      <h1>${plan.title}</h1>
      <dl class="facts">
        <div><dt>${t(lang, 'state')}</dt><dd>${stateBadge(lang, plan.state)}</dd></div>
        <div><dt>${t(lang, 'decisionNo')}</dt><dd>${plan.decisionNo ?? '—'}</dd></div>
        <div><dt>${t(lang, 'reviewPeriod')}</dt><dd>${formatDate(plan.reviewPeriod.from)} – ${formatDate(plan.reviewPeriod.to)}</dd></div>
        <div><dt>${t(lang, 'visitWindow')}</dt><dd>${formatDate(plan.visitWindow.from)} – ${formatDate(plan.visitWindow.to)}</dd></div>
        <div><dt>${t(lang, 'targets')}</dt><dd>${plan.targets.length}</dd></div>
      </dl>
      <p class="actions-row"><a class="button" href="/ui/plans/${plan.id}/report">${t(lang, 'report')}</a>
        <a class="button secondary" href="/ui/plans/${plan.id}/report.csv" download>${t(lang, 'downloadCsv')}</a></p>
      <div class="grid-2">
        <section aria-labelledby="cov-h"><h2 id="cov-h">${t(lang, 'coverage')}</h2>
          ${plan.coverage.map((c) => coverageGauge(lang, c))}</section>
        <section aria-labelledby="fig-h"><h2 id="fig-h">${t(lang, 'closureRate')}</h2>
          <p class="big-number" data-closure="${closure.verified}/${closure.issued}">${percent(closure.ratio)}</p>
          <p>${closure.issued ? t(lang, 'closureRateDetail', { verified: closure.verified, issued: closure.issued }) : t(lang, 'noRemediation')}</p>
          <h3>${t(lang, 'overdueCounts')}</h3>
          <ul class="counts" data-overdue="${overdue.length}">
            <li><strong>${overdueByInspection.size}</strong> ${t(lang, 'inspections').toLowerCase()}</li>
            ${[...overdueByKind].map(([kind, n]) => html`<li><strong>${n}</strong> ${word(lang, `deadline.${kind}`)}</li>`)}
          </ul>
          <h3>${t(lang, 'countsByState')}</h3>
          <ul class="counts">${[...byState].map(
            ([state, n]) => html`<li data-state-count="${state}"><strong>${n}</strong> ${stateLabel(lang, state)}</li>`,
          )}</ul>
        </section>
      </div>
      ${board}`,
  };
}
