import { criterionGroups, findCriterion, type CriterionGroup } from '../../../machines/criteria.js';
import { getMachineModule, type Finding, type RemediationItem, type SelfReport, type Visit } from '../../../machines/index.js';
import { getInspection, inspectionHistory, localDate } from '../../domain/inspections.js';
import { machineDefinition } from '../../domain/machine-definition.js';
import { verifyAudit } from '../../engine/index.js';
import { mayCallRoute } from '../../domain/access.js';
import { deadlineTable, problemBox, progressBar, stateBadge } from '../components.js';
import type { Page, PageContext } from '../context.js';
import { childUnits, unitNames } from '../data.js';
import { machineLayout, renderDiagram, takenEdges, visitedStates } from '../diagram.js';
import { eventForm, type FormState } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { eventLabel, formatDate, formatInstant, roleLabel, stateLabel, t, word, type Lang } from '../i18n.js';

interface Ctx {
  planId?: string;
  unitCode?: string;
  selfReport?: SelfReport;
  visit?: Visit;
  findings?: Finding[];
  remediation?: RemediationItem[];
  conclusion?: { summary: string; issuedAt: string };
  contents?: string[];
  announced?: boolean;
  reason?: string;
  decision?: { decisionNo: string; visitDate?: string; decidedAt: string };
  cancellation?: { reason: string; at: string };
}

export interface InspectionPageInput {
  form?: FormState;
  problem?: { status: number; detail: string; issues: { path: string; message: string }[] };
  done?: string;
}

function payloadSummary(event: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (key === 'type' || key === 'input' || key === 'conclusionDueDate') continue;
    if (value === null || value === undefined) continue;
    const text =
      typeof value === 'object'
        ? Array.isArray(value)
          ? `${value.length} ×`
          : JSON.stringify(value)
        : String(value);
    parts.push(`${key}: ${text.length > 80 ? `${text.slice(0, 79)}…` : text}`);
  }
  return parts.join(' · ');
}

async function actorNames(ctx: PageContext, ids: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (wanted.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('tokens').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

function selfReportSection(lang: Lang, timeZone: string, report: SelfReport | undefined): SafeHtml {
  if (!report) return html`<p class="muted">${t(lang, 'noSelfReport')}</p>`;
  const last = report.submissions.at(-1);
  return html`<dl class="facts">
      <div><dt>${t(lang, 'dueDate')}</dt><dd>${formatDate(report.dueDate)}</dd></div>
      ${report.outline ? html`<div><dt>${t(lang, 'outline')}</dt><dd class="prose">${report.outline}</dd></div>` : ''}
      <div><dt>${t(lang, 'submittedAt')}</dt><dd>${report.submittedAt ? formatInstant(report.submittedAt, timeZone) : t(lang, 'notSubmitted')}</dd></div>
    </dl>
    ${last
      ? html`<div class="submission" data-submission="${report.submissions.length}"><p class="prose">${last.summary}</p>
        <h3>${t(lang, 'documents')}</h3>
        ${last.documents.length
          ? html`<ul class="documents">${last.documents.map(
              (d) => html`<li>${d.url ? html`<a href="${d.url}" rel="noopener noreferrer" target="_blank">${d.title}</a>` : d.title}</li>`,
            )}</ul>`
          : html`<p class="muted">${t(lang, 'none')}</p>`}</div>`
      : ''}`;
}

function findingsSection(lang: Lang, findings: Finding[]): SafeHtml {
  if (findings.length === 0) return html`<p class="muted">${t(lang, 'noFindings')}</p>`;
  const groups = [...new Set(findings.map((f) => f.group ?? findCriterion(f.criterionCode)?.group ?? 's'))].sort();
  return html`${groups.map((g) => {
    const list = findings.filter((f) => (f.group ?? findCriterion(f.criterionCode)?.group ?? 's') === g);
    return html`<section class="finding-group" data-group="${g}"><h3>${g}) ${criterionGroups[g as CriterionGroup]?.[lang] ?? g}</h3>
      <ul class="findings">${list.map(
        (f) => html`<li class="finding kind-${f.kind}" data-finding="${f.id}"><span class="badge kind-${f.kind}">${word(lang, f.kind)}</span>
          <strong>${f.id}</strong> · <abbr title="${findCriterion(f.criterionCode)?.title[lang] ?? ''}">${f.criterionCode}</abbr>
          <p class="prose">${f.text}</p>${f.responsible ? html`<p class="muted">${t(lang, 'responsible')}: ${f.responsible}</p>` : ''}</li>`,
      )}</ul></section>`;
  })}`;
}

function remediationSection(lang: Lang, items: RemediationItem[], conclusion: Ctx['conclusion'], timeZone: string): SafeHtml {
  return html`${conclusion
      ? html`<div class="conclusion"><h3>${t(lang, 'conclusion')} <span class="muted">(${formatInstant(conclusion.issuedAt, timeZone)})</span></h3><p class="prose">${conclusion.summary}</p></div>`
      : ''}
    ${items.length
      ? html`<ul class="remediation">${items.map(
          (r) => html`<li class="item status-${r.status}" data-item="${r.id}">
            <div class="item-head"><strong>${r.id}</strong> ${r.action}</div>
            <div class="item-meta">${progressBar(r.percent, `${r.id} ${t(lang, 'progress')}`)}
              <span class="badge status-${r.status}">${word(lang, r.status)}</span>
              <span>${t(lang, 'dueDate')}: ${formatDate(r.dueDate)}</span>
              ${r.findingId ? html`<span>${t(lang, 'finding')}: ${r.findingId}</span>` : ''}
              ${r.responsible ? html`<span>${t(lang, 'responsible')}: ${r.responsible}</span>` : ''}</div>
            ${r.progress.length
              ? html`<ol class="item-log">${r.progress.map(
                  (p) => html`<li>${formatInstant(p.at, timeZone)}: ${p.percent} %${p.note ? ` — ${p.note}` : ''}</li>`,
                )}</ol>`
              : ''}
          </li>`,
        )}</ul>`
      : html`<p class="muted">${t(lang, 'noRemediation')}</p>`}`;
}

export async function inspectionPage(ctx: PageContext, id: string, input: InspectionPageInput = {}): Promise<Page> {
  const { lang, db, now, principal, config } = ctx;
  const tz = config.TZ_DEADLINES;
  const view = await getInspection(db, id, principal, now);
  const history = await inspectionHistory(db, id, principal);
  const context = (view.context ?? {}) as Ctx;
  const mod = getMachineModule(view.machine.name);
  const verify = mayCallRoute(principal.role, 'GET /audit/verify') ? await verifyAudit(db, id) : undefined;
  const [names, actors, children] = await Promise.all([
    unitNames(db, [view.unitCode]),
    actorNames(ctx, history.map((h) => h.actor.id)),
    view.allowedEvents.includes('SCHEDULE_VISIT') && view.unitCode ? childUnits(db, view.unitCode) : Promise.resolve([]),
  ]);
  const unitName = names.get(view.unitCode ?? '') ?? view.unitCode ?? '';

  const steps = history.map((h) => ({ event: String(h.event.type), from: h.from, to: h.to }));
  let diagram: SafeHtml | string = '';
  if (mod) {
    const layout = await machineLayout(mod.name, machineDefinition(mod.machine), lang);
    const visited = visitedStates(steps);
    const pathText = [...new Set(steps.map((s) => stateLabel(lang, s.to)))].join(' → ');
    diagram = renderDiagram(
      layout,
      { current: view.state, visited, taken: takenEdges(layout, steps) },
      `${t(lang, 'diagram')}: ${mod.name}`,
      t(lang, 'diagramDesc', { state: stateLabel(lang, view.state), path: pathText }),
    );
  }

  const formContext = {
    lang,
    inspectionId: id,
    version: view.version,
    csrf: ctx.session.csrfToken,
    kind: view.kind,
    contents: context.contents ?? [],
    findings: context.findings ?? [],
    remediation: context.remediation ?? [],
    children,
    today: localDate(now, tz),
  };
  const formState: FormState = input.form ?? {};
  const actions = html`<section aria-labelledby="actions-h" class="panel actions"><h2 id="actions-h">${t(lang, 'actions')}</h2>
    ${input.done ? html`<p class="notice" role="status" id="done">${t(lang, 'done', { event: eventLabel(lang, input.done) })}</p>` : ''}
    ${input.problem ? problemBox(lang, input.problem.status, input.problem.detail, input.problem.issues) : ''}
    ${view.allowedEvents.length
      ? view.allowedEvents.map((type) => eventForm(formContext, type, formState))
      : html`<p class="muted">${t(lang, 'noActions')}</p>`}
    ${config.XSTATE_INSPECT ? html`<p><a href="/ui/inspections/${id}/inspect">${t(lang, 'liveInspect')}</a></p>` : ''}
  </section>`;

  const timeline = html`<section aria-labelledby="timeline-h" class="panel"><h2 id="timeline-h">${t(lang, 'timeline')}</h2>
    ${verify
      ? html`<p class="chain ${verify.ok ? 'ok' : 'broken'}" data-chain="${verify.ok ? 'ok' : 'broken'}">${verify.ok
          ? t(lang, 'chainOk', { n: verify.checked })
          : t(lang, 'chainBroken', { seq: verify.brokenAt?.seq ?? '?', reason: verify.brokenAt?.reason ?? '' })}</p>`
      : ''}
    <ol class="timeline">${[...history].reverse().map(
      (h) => html`<li data-seq="${h.seq}">
        <div class="tl-head"><time datetime="${h.at}">${formatInstant(h.at, tz)}</time>
          <strong>${eventLabel(lang, String(h.event.type))}</strong></div>
        <div class="tl-body">${roleLabel(lang, h.actor.role)}${actors.get(h.actor.id) ? ` · ${actors.get(h.actor.id)}` : ''} —
          ${h.from ? html`${stateLabel(lang, h.from)} → ` : ''}<span class="to">${stateLabel(lang, h.to)}</span>
          ${payloadSummary(h.event) ? html`<div class="muted small">${payloadSummary(h.event)}</div>` : ''}</div>
      </li>`,
    )}</ol></section>`;

  const surpriseFacts =
    view.kind === 'surprise'
      ? html`<div><dt>${t(lang, 'what')}</dt><dd>${(context.contents ?? []).join(', ')}</dd></div>
        ${context.reason ? html`<div><dt>${t(lang, 'reason')}</dt><dd>${context.reason}</dd></div>` : ''}
        ${context.decision ? html`<div><dt>${t(lang, 'decisionNo')}</dt><dd>${context.decision.decisionNo}</dd></div>` : ''}`
      : '';
  const visit = context.visit;

  return {
    title: `${unitName} — ${t(lang, 'inspection')}`,
    topics: [`inspection:${id}`],
    main: html`<p class="crumbs">${view.planId
        ? html`<a href="/ui/plans/${view.planId}">${t(lang, 'plan')}</a> ›`
        : html`<a href="/ui/surprise">${t(lang, 'navSurprise')}</a> ›`}
      ${view.unitCode ? html` <a href="/ui/units/${view.unitCode}">${unitName}</a>` : ''}</p>
      <h1>${unitName} <span class="muted">· ${view.kind === 'planned' ? t(lang, 'plannedKind') : t(lang, 'surpriseKind')}</span></h1>
      <dl class="facts">
        <div><dt>${t(lang, 'state')}</dt><dd id="current-state">${stateBadge(lang, view.state)}</dd></div>
        <div><dt>${t(lang, 'unit')}</dt><dd>${view.unitCode ?? '—'}</dd></div>
        ${surpriseFacts}
        ${visit?.date ? html`<div><dt>${t(lang, 'visitDate')}</dt><dd>${formatDate(visit.date)}</dd></div>` : ''}
        ${visit?.team.length ? html`<div><dt>${t(lang, 'team')}</dt><dd>${visit.team.join(', ')}</dd></div>` : ''}
        ${visit?.sampledUnits.length ? html`<div><dt>${t(lang, 'sampled')}</dt><dd>${visit.sampledUnits.join(', ')}</dd></div>` : ''}
      </dl>
      <div class="inspection-layout">
        <div class="col-main">${actions}</div>
        <div class="col-side"><section aria-labelledby="dl-h" class="panel"><h2 id="dl-h">${t(lang, 'deadlines')}</h2>${deadlineTable(lang, view.deadlines, now)}</section></div>
      </div>
      <section aria-labelledby="diagram-h" class="panel"><h2 id="diagram-h">${t(lang, 'diagram')}</h2>
        <p class="legend"><span class="swatch current"></span> ${t(lang, 'diagramLegendCurrent')} <span class="swatch visited"></span> ${t(lang, 'diagramLegendVisited')}</p>
        <div class="diagram-wrap" tabindex="0" role="group" aria-labelledby="diagram-h">${diagram}</div></section>
      <div class="inspection-layout">
        <div class="col-main">
          ${view.kind === 'planned'
            ? html`<section aria-labelledby="sr-h" class="panel"><h2 id="sr-h">${t(lang, 'selfReport')}</h2>${selfReportSection(lang, tz, context.selfReport)}</section>`
            : ''}
          ${visit?.minutes ? html`<section class="panel" aria-labelledby="min-h"><h2 id="min-h">${t(lang, 'minutes')}</h2><p class="prose">${visit.minutes}</p></section>` : ''}
          <section aria-labelledby="findings-h" class="panel"><h2 id="findings-h">${t(lang, 'findings')}</h2>${findingsSection(lang, context.findings ?? [])}</section>
          <section aria-labelledby="rem-h" class="panel"><h2 id="rem-h">${t(lang, 'remediation')}</h2>${remediationSection(lang, context.remediation ?? [], context.conclusion, tz)}</section>
        </div>
        <div class="col-side">${timeline}</div>
      </div>`,
  };
}
