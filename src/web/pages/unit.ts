import { listInspections } from '../../domain/inspections.js';
import { findUnit } from '../../domain/units.js';
import { notFound } from '../../problem.js';
import { deadlineTable, stateBadge } from '../components.js';
import type { Page, PageContext } from '../context.js';
import { deadlinesOf } from '../data.js';
import { html } from '../html.js';
import { formatInstant, t, word } from '../i18n.js';

export async function unitPage(ctx: PageContext, code: string, origin: string): Promise<Page> {
  const { lang, db, now, principal } = ctx;
  // A unit's session sees its own unit only; another unit is "not found", as in the API.
  if (principal.role === 'unit' && principal.unitCode !== code) throw notFound(`No unit ${code}.`);
  const unit = await findUnit(db, code);
  if (!unit) throw notFound(`No unit ${code}.`);
  const { items } = await listInspections(db, { unitCode: code, limit: 200 }, principal, now);
  const deadlines = (await deadlinesOf(db, items.map((i) => i.id))).filter((d) => d.status === 'open');
  const byId = new Map(items.map((i) => [i.id, i]));
  const icsUrl = `${origin}/units/${encodeURIComponent(code)}/calendar.ics?token=<token>`;
  return {
    title: unit.name,
    topics: [`unit:${code}`],
    main: html`<h1>${unit.name} <span class="muted">· ${code}</span></h1>
      <p class="muted">${word(lang, `kind.${unit.kind}`)}</p>
      <div class="grid-2">
        <section aria-labelledby="insp-h" class="panel"><h2 id="insp-h">${t(lang, 'inspections')}</h2>
          ${items.length
            ? html`<ul class="inspection-list">${items.map(
                (i) => html`<li data-inspection="${i.id}"><a href="/ui/inspections/${i.id}">${i.kind === 'planned' ? t(lang, 'plannedKind') : t(lang, 'surpriseKind')}</a>
                  ${stateBadge(lang, i.state)} <span class="muted small">${formatInstant(i.updatedAt, ctx.config.TZ_DEADLINES)}</span></li>`,
              )}</ul>`
            : html`<p class="muted">${t(lang, 'none')}</p>`}
        </section>
        <section aria-labelledby="dl-h" class="panel"><h2 id="dl-h">${t(lang, 'openDeadlines')}</h2>
          ${deadlineTable(lang, deadlines, now, (d) => {
            const insp = byId.get((d as { inspectionId?: string }).inspectionId ?? '');
            return insp ? html`<a href="/ui/inspections/${insp.id}">${insp.kind === 'planned' ? t(lang, 'plannedKind') : t(lang, 'surpriseKind')}</a>` : html``;
          })}
        </section>
      </div>
      <section aria-labelledby="ics-h" class="panel"><h2 id="ics-h">${t(lang, 'calendar')}</h2>
        <p>${t(lang, 'calendarHint')}</p>
        <p><label for="ics-url" class="visually-hidden">${t(lang, 'calendar')}</label>
          <input id="ics-url" class="copy" type="text" readonly value="${icsUrl}"></p>
        <p class="muted small">${t(lang, 'calendarTokenHint')}</p>
      </section>`,
  };
}
