import { mayCallRoute } from '../domain/access.js';
import { html, type SafeHtml } from './html.js';
import { roleLabel, t, type Lang } from './i18n.js';
import type { WebSession } from './session.js';

export const ASSET_VERSION = '1';

/** The API routes the reminders page shows the data of (plugin.ts checks the same). */
export const REMINDERS_PAGE_ROUTES = ['GET /reminders', 'GET /webhooks'] as const;

export interface PageShell {
  lang: Lang;
  session?: WebSession;
  /** The page's own address (path and query), for the language switch and live updates. */
  url: string;
  title: string;
  /** What the live script listens for: `inspection:<id>`, `plan:<id>`, `unit:<code>`, `reminders`. */
  topics?: string[];
  /** Extra script files (same origin) this page needs. */
  scripts?: string[];
}

/** `url` with `lang` set, other query parameters kept. */
export function withLang(url: string, lang: Lang): string {
  const u = new URL(url, 'http://x');
  u.searchParams.delete('fragment');
  u.searchParams.delete('done');
  u.searchParams.set('lang', lang);
  return `${u.pathname}${u.search}`;
}

function nav(shell: PageShell): SafeHtml | string {
  const s = shell.session;
  if (!s) return '';
  const p = s.principal;
  const { lang } = shell;
  const links: SafeHtml[] = [];
  if (p.role !== 'unit') links.push(html`<li><a href="/ui/plans">${t(lang, 'navPlans')}</a></li>`);
  if (p.role !== 'unit' && mayCallRoute(p.role, 'GET /inspections')) {
    links.push(html`<li><a href="/ui/surprise">${t(lang, 'navSurprise')}</a></li>`);
  }
  if (p.role === 'unit' && p.unitCode) links.push(html`<li><a href="/ui/units/${p.unitCode}">${t(lang, 'navUnit')}</a></li>`);
  if (REMINDERS_PAGE_ROUTES.every((route) => mayCallRoute(p.role, route))) links.push(html`<li><a href="/ui/reminders">${t(lang, 'navReminders')}</a></li>`);
  return html`<nav aria-label="${t(lang, 'nav')}"><ul class="nav">${links}</ul></nav>
    <div class="who">
      <span class="who-name">${t(lang, 'signedInAs')}: <strong>${p.name}</strong> (${roleLabel(lang, p.role)}${p.unitCode ? ` · ${p.unitCode}` : ''})</span>
      <form method="post" action="/ui/logout" class="inline">
        <input type="hidden" name="_csrf" value="${s.csrfToken}">
        <button type="submit" class="link-button">${t(lang, 'signOut')}</button>
      </form>
    </div>`;
}

/** The whole document: skip link, header with navigation and the language switch, the page's main content. */
export function layout(shell: PageShell, main: SafeHtml): SafeHtml {
  const { lang } = shell;
  const other: Lang = lang === 'vi' ? 'en' : 'vi';
  const topics = shell.topics?.join(' ') ?? '';
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${shell.title} · ${t(lang, 'appName')}</title>
<link rel="stylesheet" href="/ui/assets/app.css?v=${ASSET_VERSION}">
<link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml">
<script src="/ui/assets/live.js?v=${ASSET_VERSION}" defer></script>
${(shell.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">${t(lang, 'skip')}</a>
<header class="top">
  <a class="brand" href="/ui">${t(lang, 'appName')}<span class="tagline">${t(lang, 'appTagline')}</span></a>
  ${nav(shell)}
  <a class="lang" href="${withLang(shell.url, other)}" hreflang="${other}" lang="${other}">${other === 'en' ? 'English' : 'Tiếng Việt'}</a>
</header>
<main id="main" tabindex="-1"${topics ? html` data-topics="${topics}" data-live-url="${shell.url}"` : ''}>
${main}
</main>
<div id="live-status" class="visually-hidden" role="status" aria-live="polite" data-updated="${t(lang, 'liveUpdated')}" data-stale="${t(lang, 'liveStale')}" data-refresh="${t(lang, 'liveRefresh')}"></div>
</body>
</html>
`;
}
