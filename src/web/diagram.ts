import ElkBundled from 'elkjs/lib/elk.bundled.js';
import type { ELK as ElkApi, ElkEdgeSection, ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api.js';
import type { MachineDefinition, TransitionInfo } from '../domain/machine-definition.js';
import { html, raw, type SafeHtml } from './html.js';
import { eventLabel, stateLabel, type Lang } from './i18n.js';

/**
 * The statechart as SVG: nodes and edges come from the machine's own
 * definition (machine-definition.ts), elkjs lays them out on the server
 * (layered, compound states drawn as containers), and the page highlights
 * the instance's current state and the transitions its audit history took.
 * No client script is involved, so the diagram works offline and under a
 * strict CSP.
 */

export interface DiagramEdge {
  id: string;
  /** The state that declares the transition (a compound state for CANCEL, say). */
  source: string;
  target: string;
  event: string;
  /** For delayed transitions, the event the audit log records when the timer fires. */
  delayedEvent?: string;
  points: { x: number; y: number }[];
  label?: { x: number; y: number; width: number; height: number; text: string };
}

export interface DiagramNode {
  path: string;
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  compound: boolean;
  final: boolean;
  pseudo: boolean;
}

export interface Layout {
  width: number;
  height: number;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

const SHORT: Record<string, { vi: string; en: string }> = {
  'selfReport.requested': { vi: 'Đã yêu cầu', en: 'Requested' },
  'selfReport.overdue': { vi: 'Quá hạn', en: 'Overdue' },
  'selfReport.submitted': { vi: 'Đã nộp', en: 'Submitted' },
  'visit.scheduled': { vi: 'Đã lên lịch', en: 'Scheduled' },
  'visit.inProgress': { vi: 'Đang kiểm tra', en: 'In progress' },
};

const FONT = 12;
const LABEL_FONT = 11;
/** A generous average glyph width (DejaVu Sans, Vietnamese diacritics), so labels never overflow their boxes. */
const textWidth = (text: string, size: number) => Math.ceil(text.length * size * 0.6);

// elkjs is CommonJS: its module object is the constructor.
const ELK = ElkBundled as unknown as new () => ElkApi;

const INITIAL = '__initial';
const elkId = (path: string) => `s:${path}`;

function nodeLabel(path: string, lang: Lang): string {
  return SHORT[path]?.[lang] ?? stateLabel(lang, path);
}

function edgeText(t: TransitionInfo, lang: Lang): string {
  return eventLabel(lang, t.event);
}

interface EdgeSpec {
  id: string;
  source: string;
  target: string;
  t: TransitionInfo;
}

/** Every drawn transition: self-loops for targetless ones; root transitions from each top-level state that does not override them. */
function edgeSpecs(def: MachineDefinition): EdgeSpec[] {
  const specs: EdgeSpec[] = [];
  const add = (source: string, t: TransitionInfo) => {
    for (const target of t.targets.length > 0 ? t.targets : [source]) {
      specs.push({ id: `e${specs.length}`, source, target, t });
    }
  };
  for (const s of Object.values(def.states)) for (const t of s.transitions) add(s.path, t);
  const top = Object.values(def.states).filter((s) => s.parent === null);
  for (const t of def.transitions) {
    for (const s of top) {
      if (s.type === 'final' || s.transitions.some((own) => own.event === t.event)) continue;
      add(s.path, t);
    }
  }
  return specs;
}

const layouts = new Map<string, Promise<Layout>>();

/** The layout of a machine in a language; computed once per process (the definition does not change at run time). */
export function machineLayout(name: string, def: MachineDefinition, lang: Lang): Promise<Layout> {
  const key = `${name}:${lang}`;
  let layout = layouts.get(key);
  if (!layout) {
    layout = computeLayout(def, lang);
    layouts.set(key, layout);
    layout.catch(() => layouts.delete(key));
  }
  return layout;
}

async function computeLayout(def: MachineDefinition, lang: Lang): Promise<Layout> {
  const elk = new ELK();
  const build = (path: string): ElkNode => {
    const s = def.states[path]!;
    const label = nodeLabel(path, lang);
    if (s.children.length > 0) {
      const children: ElkNode[] = s.children.map(build);
      if (s.initial) children.unshift({ id: `${elkId(path)}:${INITIAL}`, width: 12, height: 12 });
      return {
        id: elkId(path),
        labels: [{ text: label, width: textWidth(label, FONT), height: FONT + 6 }],
        layoutOptions: {
          'elk.padding': '[top=32,left=14,bottom=14,right=14]',
          'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT',
        },
        children,
      };
    }
    return { id: elkId(path), width: Math.max(84, textWidth(label, FONT) + 24), height: 36 };
  };
  const top = Object.values(def.states).filter((s) => s.parent === null);
  const children = top.map((s) => build(s.path));
  if (def.initial) children.unshift({ id: INITIAL, width: 14, height: 14 });

  const specs = edgeSpecs(def);
  const edges: ElkExtendedEdge[] = specs.map((e) => {
    const text = edgeText(e.t, lang);
    return {
      id: e.id,
      sources: [elkId(e.source)],
      targets: [elkId(e.target)],
      labels: [{ id: `${e.id}:label`, text, width: textWidth(text, LABEL_FONT) + 6, height: LABEL_FONT + 5 }],
    };
  });
  const initialEdges: ElkExtendedEdge[] = [];
  if (def.initial) initialEdges.push({ id: 'i:root', sources: [INITIAL], targets: [elkId(def.initial)] });
  for (const s of Object.values(def.states)) {
    if (s.initial) initialEdges.push({ id: `i:${s.path}`, sources: [`${elkId(s.path)}:${INITIAL}`], targets: [elkId(s.initial)] });
  }

  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeLabel': '4',
      'elk.spacing.edgeNode': '16',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
    },
    children,
    edges: [...initialEdges, ...edges],
  };
  const laid = await elk.layout(graph);

  const nodes: DiagramNode[] = [];
  const walk = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      const pseudo = c.id === INITIAL || c.id.endsWith(`:${INITIAL}`);
      const path = pseudo ? c.id : c.id.slice(2);
      const s = pseudo ? undefined : def.states[path];
      nodes.push({
        path,
        x: c.x ?? 0,
        y: c.y ?? 0,
        width: c.width ?? 0,
        height: c.height ?? 0,
        label: pseudo ? '' : nodeLabel(path, lang),
        compound: (s?.children.length ?? 0) > 0,
        final: s?.type === 'final',
        pseudo,
      });
      walk(c);
    }
  };
  walk(laid);

  const byId = new Map(specs.map((s) => [s.id, s]));
  const collect = (n: ElkNode): ElkExtendedEdge[] => [...(n.edges ?? []), ...(n.children ?? []).flatMap(collect)];
  const out: DiagramEdge[] = [];
  for (const e of collect(laid)) {
    const sections: ElkEdgeSection[] = e.sections ?? [];
    const points = sections.flatMap((sec) => [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint]);
    const spec = byId.get(e.id);
    const label: ElkLabel | undefined = e.labels?.[0];
    out.push({
      id: e.id,
      source: spec?.source ?? e.sources[0]!,
      target: spec?.target ?? e.targets[0]!,
      event: spec?.t.event ?? '',
      ...(spec?.t.delayedEvent ? { delayedEvent: spec.t.delayedEvent } : {}),
      points,
      ...(label && spec
        ? { label: { x: label.x ?? 0, y: label.y ?? 0, width: label.width ?? 0, height: label.height ?? 0, text: label.text ?? '' } }
        : {}),
    });
  }
  return { width: Math.ceil(laid.width ?? 0), height: Math.ceil(laid.height ?? 0), nodes, edges: out };
}

export interface AuditStep {
  event: string;
  from: string | null;
  to: string;
}

const within = (state: string, ancestor: string) => state === ancestor || state.startsWith(`${ancestor}.`);

/** Which drawn edges an audit step took: same event, leaving the declaring state (or a child), arriving at the target. */
export function takenEdges(layout: Layout, history: AuditStep[]): Set<string> {
  const taken = new Set<string>();
  for (const step of history) {
    if (step.from === null) continue;
    for (const e of layout.edges) {
      if (!e.event) continue;
      const sameEvent = e.event === step.event || (e.delayedEvent !== undefined && e.delayedEvent === step.event);
      // A self-loop is taken even when an eventless transition then left the state (the last VERIFY_ITEM closes).
      const arrived = within(step.to, e.target) || (e.source === e.target && !within(step.to, e.source));
      if (sameEvent && within(step.from, e.source) && arrived) taken.add(e.id);
    }
    // An eventless transition that fired in the same step (remediation → closed on the last VERIFY_ITEM).
    for (const e of layout.edges) {
      if (e.event === 'always' && within(step.from, e.source) && within(step.to, e.target) && !within(step.to, e.source)) taken.add(e.id);
    }
  }
  return taken;
}

/** Every state an instance has been in, with its ancestors. */
export function visitedStates(history: AuditStep[]): Set<string> {
  const visited = new Set<string>();
  for (const step of history) {
    for (const state of [step.from, step.to]) {
      if (!state) continue;
      const parts = state.split('.');
      parts.forEach((_, i) => visited.add(parts.slice(0, i + 1).join('.')));
    }
  }
  return visited;
}

function pathData(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
}

export interface Highlight {
  current: string;
  visited: Set<string>;
  taken: Set<string>;
}

export function renderDiagram(layout: Layout, highlight: Highlight, title: string, description: string): SafeHtml {
  const { current, visited, taken } = highlight;
  const nodeClass = (n: DiagramNode) =>
    [
      'state',
      n.compound ? 'compound' : 'atomic',
      n.final ? 'final' : '',
      n.path === current ? 'current' : within(current, n.path) ? 'active' : '',
      visited.has(n.path) ? 'visited' : '',
    ]
      .filter(Boolean)
      .join(' ');
  const compounds = layout.nodes.filter((n) => n.compound);
  const atomics = layout.nodes.filter((n) => !n.compound && !n.pseudo);
  const pseudos = layout.nodes.filter((n) => n.pseudo);
  const edges = layout.edges.filter((e) => e.points.length > 1);
  const edgeClass = (e: DiagramEdge) => ['edge', e.id.startsWith('i:') ? 'initial' : '', taken.has(e.id) ? 'taken' : ''].filter(Boolean).join(' ');
  return html`<svg class="statechart" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}"
    role="img" aria-labelledby="diagram-title diagram-desc" xmlns="http://www.w3.org/2000/svg">
  <title id="diagram-title">${title}</title>
  <desc id="diagram-desc">${description}</desc>
  <defs>
    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
      <path d="M0 0 L10 5 L0 10 z" class="arrowhead"/></marker>
    <marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
      <path d="M0 0 L10 5 L0 10 z" class="arrowhead taken"/></marker>
  </defs>
  ${compounds.map(
    (n) => html`<g class="${nodeClass(n)}" data-state="${n.path}">
    <rect x="${n.x}" y="${n.y}" width="${n.width}" height="${n.height}" rx="10"/>
    <text x="${n.x + 12}" y="${n.y + 20}" class="compound-label">${n.label}</text></g>`,
  )}
  ${pseudos.map((n) => html`<circle class="initial-dot" cx="${n.x + n.width / 2}" cy="${n.y + n.height / 2}" r="${n.width / 2}"/>`)}
  ${edges.map(
    (e) => html`<g class="${edgeClass(e)}" data-edge="${e.id}" data-event="${e.event}">
    <path d="${pathData(e.points)}" marker-end="${raw(taken.has(e.id) ? 'url(#arrow-taken)' : 'url(#arrow)')}"/>
    ${e.label ? html`<text x="${e.label.x + 3}" y="${e.label.y + e.label.height - 4}" class="edge-label">${e.label.text}</text>` : ''}</g>`,
  )}
  ${atomics.map(
    (n) => html`<g class="${nodeClass(n)}" data-state="${n.path}">
    <rect x="${n.x}" y="${n.y}" width="${n.width}" height="${n.height}" rx="${n.final ? 18 : 8}"/>
    ${n.final ? html`<rect x="${n.x + 3}" y="${n.y + 3}" width="${n.width - 6}" height="${n.height - 6}" rx="15" class="final-ring"/>` : ''}
    <text x="${n.x + n.width / 2}" y="${n.y + n.height / 2 + 4}" text-anchor="middle">${n.label}</text></g>`,
  )}
</svg>`;
}
