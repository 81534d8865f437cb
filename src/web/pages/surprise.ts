import { listInspections } from '../../domain/inspections.js';
import { stateBadge } from '../components.js';
import type { Page, PageContext } from '../context.js';
import { unitNames } from '../data.js';
import { html } from '../html.js';
import { formatInstant, t } from '../i18n.js';

export async function surprisePage(ctx: PageContext): Promise<Page> {
  const { lang, db, now, principal } = ctx;
  const { items } = await listInspections(db, { kind: 'surprise', limit: 200 }, principal, now);
  const names = await unitNames(db, items.map((i) => i.unitCode));
  return {
    title: t(lang, 'navSurprise'),
    topics: ['surprise'],
    main: html`<h1>${t(lang, 'navSurprise')}</h1>
      ${items.length
        ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${t(lang, 'unit')}</th><th scope="col">${t(lang, 'state')}</th><th scope="col">${t(lang, 'when')}</th></tr></thead>
          <tbody>${items.map(
            (i) => html`<tr><td><a href="/ui/inspections/${i.id}">${names.get(i.unitCode ?? '') ?? i.unitCode}</a></td><td>${stateBadge(lang, i.state)}</td><td>${formatInstant(i.updatedAt, ctx.config.TZ_DEADLINES)}</td></tr>`,
          )}</tbody></table></div>`
        : html`<p class="muted">${t(lang, 'none')}</p>`}`,
  };
}
