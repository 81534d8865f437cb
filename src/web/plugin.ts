import { readFile } from 'node:fs/promises';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sendInspectionEvent } from '../domain/inspections.js';
import { listPlans } from '../domain/plans.js';
import { authenticate } from '../domain/tokens.js';
import { mayCallRoute } from '../domain/access.js';
import { toProblem } from '../http/app.js';
import { forbidden, notFound, Problem } from '../problem.js';
import type { Page, PageContext } from './context.js';
import { eventFromForm, type FormBody } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { isLang, t, type Lang } from './i18n.js';
import { layout, REMINDERS_PAGE_ROUTES } from './layout.js';
import { inspectionPage } from './pages/inspection.js';
import { inspectorEvents, inspectorPage } from './pages/inspect.js';
import { loginMain } from './pages/login.js';
import { planPage, plansPage } from './pages/plan.js';
import { remindersPage, retryReminder } from './pages/reminders.js';
import { reportCsv, reportPage } from './pages/report.js';
import { surprisePage } from './pages/surprise.js';
import { unitPage } from './pages/unit.js';
import { closeSession, findSession, openSession, randomToken, sameToken, SESSION_COOKIE, SESSION_HOURS, type WebSession } from './session.js';
import { registerStreamHub, streamToBrowser } from './stream.js';

/**
 * The dashboard: server-rendered pages under /ui, signed in with an API token
 * exchanged for a cookie session. Every page names the API routes whose data
 * it shows or whose action it takes (`config.ui.requires`); a role that may
 * not call one of them gets 403, exactly as from the API (ROUTE_ROLES), and
 * the domain functions apply the same unit scope and event roles as the API.
 * The routes are public to the bearer-token hook because the session stands
 * in for the header.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    ui?: { requires: readonly string[] };
  }
  interface FastifyRequest {
    web: { lang: Lang; session?: WebSession; sessionCookie?: string };
  }
}

const LANG_COOKIE = 'kt_lang';
const LOGIN_COOKIE = 'kt_login';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIT_CODE = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;

const ASSETS: Record<string, { file: string; type: string }> = {
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  'live.js': { file: 'live.js', type: 'text/javascript; charset=utf-8' },
  'print.js': { file: 'print.js', type: 'text/javascript; charset=utf-8' },
  'inspect.js': { file: 'inspect.js', type: 'text/javascript; charset=utf-8' },
  'favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};
const ASSET_DIR = new URL('./assets/', import.meta.url);

const first = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : typeof v === 'string' ? v : '');

function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** Where to go after signing in: a dashboard path only, never another site. */
function safeNext(next: string): string {
  return /^\/ui(\/[\w\-./?=&%]*)?$/.test(next) && !next.startsWith('//') ? next : '/ui';
}

function requireId(id: string): string {
  if (!UUID.test(id)) throw notFound(`No such page.`);
  return id;
}

function send(reply: FastifyReply, status: number, body: SafeHtml | string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(String(body));
}

function renderPage(request: FastifyRequest, reply: FastifyReply, page: Page): FastifyReply {
  const query = request.query as Record<string, unknown>;
  if (first(query.fragment) === '1') return send(reply, page.status ?? 200, page.main);
  return send(
    reply,
    page.status ?? 200,
    layout(
      {
        lang: request.web.lang,
        session: request.web.session,
        url: request.url,
        title: page.title,
        topics: page.topics,
        scripts: page.scripts,
      },
      page.main,
    ),
  );
}

function messagePage(request: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  const { lang } = request.web ?? { lang: 'vi' };
  return renderPage(request, reply, {
    status,
    title,
    main: html`<h1>${title}</h1><div class="problem" role="alert"><p>${message}</p></div>
      <p><a href="/ui">${t(lang, 'back')}</a></p>`,
  });
}

function pageContext(app: FastifyInstance, request: FastifyRequest): PageContext {
  const session = request.web.session!;
  return {
    db: app.deps.db,
    config: app.deps.config,
    now: app.deps.now(),
    lang: request.web.lang,
    session,
    principal: session.principal,
    url: request.url,
  };
}

function cookieOptions(request: FastifyRequest, path: string) {
  return { path, httpOnly: true, sameSite: 'strict' as const, secure: isSecure(request) };
}

const ui: FastifyPluginAsync = async (app) => {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 262_144 });
  app.decorateRequest('web', null as unknown as FastifyRequest['web']);
  registerStreamHub(app);
  // The dashboard is not part of the API contract: keep it out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });

  app.addHook('onRequest', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const asked = first(query.lang);
    let lang: Lang = 'vi';
    if (isLang(asked)) {
      lang = asked;
      reply.setCookie(LANG_COOKIE, asked, { ...cookieOptions(request, '/ui'), maxAge: 365 * 86_400 });
    } else if (isLang(request.cookies[LANG_COOKIE])) {
      lang = request.cookies[LANG_COOKIE] as Lang;
    }
    request.web = { lang };
    const sessionCookie = request.cookies[SESSION_COOKIE];
    if (sessionCookie) {
      const { db, now, config } = app.deps;
      const session = await findSession(db, sessionCookie, now(), Boolean(config.BOOTSTRAP_ADMIN_TOKEN));
      if (session) request.web = { lang, session, sessionCookie };
    }
    const requires = request.routeOptions.config?.ui?.requires;
    if (!requires) return;
    const session = request.web.session;
    if (!session) {
      if (request.method === 'GET' && first(query.fragment) !== '1') {
        return reply.redirect(`/ui/login?next=${encodeURIComponent(request.url)}`, 303);
      }
      throw new Problem('unauthorized', t(lang, 'badToken'));
    }
    const role = session.principal.role;
    const refused = requires.find((route) => !mayCallRoute(role, route));
    if (refused) throw forbidden(`The ${role} role may not call ${refused}.`);
  });

  // Synchronizer token: every form carries the session's token; the sign-in form a cookie-bound one.
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST') return;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const sent = first(body._csrf);
    const expected = request.routeOptions.url === '/ui/login' ? request.cookies[LOGIN_COOKIE] : request.web.session?.csrfToken;
    if (!sent || !expected || !sameToken(sent, expected)) throw forbidden(t(request.web.lang, 'badCsrf'));
  });

  app.setErrorHandler(async (error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error, reqId: request.id }, 'dashboard request failed');
    const lang = request.web?.lang ?? 'vi';
    if (problem.status === 401 && request.method === 'GET') return reply.redirect('/ui/login', 303);
    if (typeof problem.extra.retryAfter === 'number') reply.header('retry-after', String(problem.extra.retryAfter));
    const message =
      problem.status === 404 ? t(lang, 'notFound') : problem.status === 403 ? `${t(lang, 'forbidden')} ${problem.detail}` : problem.status >= 500 ? t(lang, 'error') : problem.detail;
    return messagePage(request, reply, problem.status, problem.title, message);
  });

  app.get('/assets/:name', { config: { public: true } }, async (request, reply) => {
    const asset = ASSETS[(request.params as { name: string }).name];
    if (!asset) throw notFound('No such file.');
    const body = await readFile(new URL(asset.file, ASSET_DIR));
    return reply.header('cache-control', 'public, max-age=3600').type(asset.type).send(body);
  });

  app.get('/login', { config: { public: true } }, async (request, reply) => {
    const next = safeNext(first((request.query as Record<string, unknown>).next) || '/ui');
    if (request.web.session) return reply.redirect(next, 303);
    const csrf = randomToken();
    reply.setCookie(LOGIN_COOKIE, csrf, { ...cookieOptions(request, '/ui/login'), maxAge: 3600 });
    return renderPage(request, reply, { title: t(request.web.lang, 'signIn'), main: loginMain(request.web.lang, csrf, next) });
  });

  app.post('/login', { config: { public: true } }, async (request, reply) => {
    const { db, now, config } = app.deps;
    const body = request.body as FormBody;
    const lang = request.web.lang;
    const next = safeNext(first(body.next) || '/ui');
    const retryAfter = await app.authFailures.blockedFor(request);
    if (retryAfter !== undefined) {
      reply.header('retry-after', String(retryAfter));
      return messagePage(request, reply, 429, t(lang, 'signIn'), `Too many failed sign-ins; retry in ${retryAfter} s.`);
    }
    const token = first(body.token).trim();
    const principal = token ? await authenticate(db, token, now(), config.BOOTSTRAP_ADMIN_TOKEN) : undefined;
    if (!principal) {
      await app.authFailures.record(request);
      const csrf = first(body._csrf);
      // 200 like a refused event form: the sign-in page itself rendered fine (browsers log non-2xx documents as errors).
      return renderPage(request, reply, { title: t(lang, 'signIn'), main: loginMain(lang, csrf, next, t(lang, 'badToken')) });
    }
    const opened = await openSession(db, principal, now());
    reply.clearCookie(LOGIN_COOKIE, { path: '/ui/login' });
    // maxAge, not expires: the browser's clock, not the service's (which tests move), decides when a cookie is stale.
    reply.setCookie(SESSION_COOKIE, opened.cookie, { ...cookieOptions(request, '/ui'), maxAge: SESSION_HOURS * 3600 });
    return reply.redirect(next, 303);
  });

  app.post('/logout', { config: { public: true, ui: { requires: [] } } }, async (request, reply) => {
    if (request.web.sessionCookie) await closeSession(app.deps.db, request.web.sessionCookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/ui' });
    return reply.redirect('/ui/login', 303);
  });

  app.get('/', { config: { public: true, ui: { requires: [] } } }, async (request, reply) => {
    const p = request.web.session!.principal;
    if (p.role === 'unit' && p.unitCode) return reply.redirect(`/ui/units/${p.unitCode}`, 303);
    if (!mayCallRoute(p.role, 'GET /plans')) return reply.redirect('/ui/surprise', 303);
    const [latest] = await listPlans(app.deps.db, {});
    return reply.redirect(latest ? `/ui/plans/${latest.id}` : '/ui/plans', 303);
  });

  app.get('/plans', { config: { public: true, ui: { requires: ['GET /plans'] } } }, async (request, reply) =>
    renderPage(request, reply, await plansPage(pageContext(app, request))),
  );

  app.get('/plans/:id', { config: { public: true, ui: { requires: ['GET /plans/:id', 'GET /inspections'] } } }, async (request, reply) =>
    renderPage(request, reply, await planPage(pageContext(app, request), requireId((request.params as { id: string }).id))),
  );

  const reportRoutes = ['GET /plans/:id', 'GET /inspections/:id'];
  app.get('/plans/:id/report', { config: { public: true, ui: { requires: reportRoutes } } }, async (request, reply) =>
    renderPage(request, reply, await reportPage(pageContext(app, request), requireId((request.params as { id: string }).id))),
  );

  app.get('/plans/:id/report.csv', { config: { public: true, ui: { requires: reportRoutes } } }, async (request, reply) => {
    const csv = await reportCsv(pageContext(app, request), requireId((request.params as { id: string }).id));
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${csv.filename}"`)
      .type('text/csv; charset=utf-8')
      .send(csv.body);
  });

  app.get('/surprise', { config: { public: true, ui: { requires: ['GET /inspections'] } } }, async (request, reply) =>
    renderPage(request, reply, await surprisePage(pageContext(app, request))),
  );

  const inspectionRoutes = ['GET /inspections/:id', 'GET /inspections/:id/history', 'GET /machines/:name'];
  app.get('/inspections/:id', { config: { public: true, ui: { requires: inspectionRoutes } } }, async (request, reply) => {
    const id = requireId((request.params as { id: string }).id);
    const done = first((request.query as Record<string, unknown>).done);
    return renderPage(request, reply, await inspectionPage(pageContext(app, request), id, /^[A-Z_]{1,64}$/.test(done) ? { done } : {}));
  });

  app.post(
    '/inspections/:id/events',
    { config: { public: true, ui: { requires: ['POST /inspections/:id/events', ...inspectionRoutes] } } },
    async (request, reply) => {
      const id = requireId((request.params as { id: string }).id);
      const ctx = pageContext(app, request);
      const body = request.body as FormBody;
      const type = first(body.type);
      const version = Number(first(body.version));
      const key = first(body.idempotencyKey);
      try {
        await sendInspectionEvent(ctx.db, id, eventFromForm(type, body), ctx.principal, {
          now: ctx.now,
          timeZone: ctx.config.TZ_DEADLINES,
          ...(key ? { idempotencyKey: key } : {}),
          ...(Number.isInteger(version) && version > 0 ? { expectedVersion: version } : {}),
        });
      } catch (err) {
        const problem = toProblem(err);
        if (problem.status === 404 || problem.status >= 500) throw err;
        const issues = (problem.extra.issues as { path: string; message: string }[] | undefined) ?? [];
        const page = await inspectionPage(ctx, id, {
          form: { type, values: body, issues },
          problem: { status: problem.status, detail: problem.detail, issues },
        });
        // Answered 200: the page (the form with the API's problem shown in it) rendered fine, and
        // browsers report any non-2xx document as a console error. The problem's status is on the page.
        return renderPage(request, reply, page);
      }
      return reply.redirect(`/ui/inspections/${id}?done=${encodeURIComponent(type)}#done`, 303);
    },
  );

  app.get('/inspections/:id/inspect', { config: { public: true, ui: { requires: inspectionRoutes } } }, async (request, reply) => {
    if (!app.deps.config.XSTATE_INSPECT) throw notFound('Live inspection is off (XSTATE_INSPECT).');
    const id = requireId((request.params as { id: string }).id);
    // The inspector window must keep its opener to say it is connected (helmet's default isolates popups).
    reply.header('cross-origin-opener-policy', 'same-origin-allow-popups');
    return renderPage(request, reply, await inspectorPage(pageContext(app, request), id));
  });

  app.get('/inspections/:id/inspect.json', { config: { public: true, ui: { requires: inspectionRoutes } } }, async (request, reply) => {
    if (!app.deps.config.XSTATE_INSPECT) throw notFound('Live inspection is off (XSTATE_INSPECT).');
    const id = requireId((request.params as { id: string }).id);
    return reply.header('cache-control', 'no-store').send(await inspectorEvents(pageContext(app, request), id));
  });

  app.get('/units/:code', { config: { public: true, ui: { requires: ['GET /units/:code', 'GET /inspections'] } } }, async (request, reply) => {
    const code = (request.params as { code: string }).code;
    if (!UNIT_CODE.test(code)) throw notFound('No such unit.');
    return renderPage(request, reply, await unitPage(pageContext(app, request), code, `${request.protocol}://${request.host}`));
  });

  app.get('/reminders', { config: { public: true, ui: { requires: REMINDERS_PAGE_ROUTES } } }, async (request, reply) =>
    renderPage(request, reply, await remindersPage(pageContext(app, request))),
  );

  app.post('/reminders/:id/retry', { config: { public: true, ui: { requires: ['POST /reminders/:id/retry'] } } }, async (request, reply) => {
    const id = requireId((request.params as { id: string }).id);
    await retryReminder(pageContext(app, request), id);
    return reply.redirect('/ui/reminders?done=retry', 303);
  });

  app.get('/stream', { config: { public: true, ui: { requires: ['GET /stream'] } } }, async (request, reply) =>
    streamToBrowser(app, request, reply, request.web.session!.principal),
  );

  // Anything else under /ui is a page that does not exist: answered as a page, not as problem+json.
  app.get('/*', { config: { public: true } }, async (request, reply) => {
    return messagePage(request, reply, 404, t(request.web.lang, 'notFound'), request.url.split('?')[0] ?? '');
  });
};

/** `/` leads to the dashboard; everything else lives under /ui. */
export const webPlugin: FastifyPluginAsync = async (app) => {
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui', 302));
  await app.register(ui, { prefix: '/ui' });
};
