import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createActor, type AnyEventObject } from 'xstate';
import { getMachineModule } from '../../../machines/index.js';
import { getInspection, inspectionHistory } from '../../domain/inspections.js';
import { notFound } from '../../problem.js';
import type { Page, PageContext } from '../context.js';
import { html } from '../html.js';
import { t } from '../i18n.js';

/**
 * Opt-in live inspection (XSTATE_INSPECT=1): the inspection's audit history
 * is replayed through its statechart in an XState actor whose `inspect`
 * observer is @statelyai/inspect's inspector; the inspection events it
 * produces are handed to the browser, which opens the Stately Inspector
 * (stately.ai, so this needs internet) and posts them to it, as the
 * library's browser adapter does. The built-in diagram needs none of this.
 */

export async function inspectorEvents(ctx: PageContext, id: string): Promise<{ events: StatelyInspectionEvent[] }> {
  const view = await getInspection(ctx.db, id, ctx.principal, ctx.now);
  const history = await inspectionHistory(ctx.db, id, ctx.principal);
  const mod = getMachineModule(view.machine.name);
  const created = history[0]?.event as { type: string; input?: unknown } | undefined;
  if (!mod || !created) throw notFound(`No machine for inspection ${id}.`);
  const events: StatelyInspectionEvent[] = [];
  const inspector = createInspector({ send: (event) => events.push(JSON.parse(JSON.stringify(event)) as StatelyInspectionEvent) });
  const actor = createActor(mod.withClock(ctx.now.getTime()), { input: created.input, inspect: inspector.inspect, id: `inspection-${id}` });
  actor.start();
  for (const step of history.slice(1)) actor.send({ ...(step.event as AnyEventObject), at: step.at });
  actor.stop();
  // The inspector converts events on a later tick (setTimeout 0 outside a browser): let it finish.
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { events };
}

export async function inspectorPage(ctx: PageContext, id: string): Promise<Page> {
  const { lang } = ctx;
  await getInspection(ctx.db, id, ctx.principal, ctx.now);
  return {
    title: t(lang, 'liveInspect'),
    scripts: ['/ui/assets/inspect.js'],
    main: html`<p class="crumbs"><a href="/ui/inspections/${id}">${t(lang, 'inspection')}</a></p>
      <h1>${t(lang, 'liveInspect')}</h1>
      <p>${t(lang, 'liveInspectIntro')}</p>
      <p><button type="button" class="primary" data-inspect="/ui/inspections/${id}/inspect.json">${t(lang, 'openInspector')}</button></p>
      <p class="muted" id="inspect-status" role="status"></p>`,
  };
}
