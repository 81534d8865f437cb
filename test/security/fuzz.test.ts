import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineModules } from '../../machines/index.js';
import { seedDemo } from '../../src/domain/seed.js';
import { ROUTE_ROLES, type Role } from '../../src/domain/access.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { databaseFingerprint } from '../support/fixtures.js';

/**
 * Property-based attack on every route of the access table: generated bodies,
 * query strings, headers and path parameters — wrong types, huge strings,
 * unicode, SQL fragments, prototype-pollution keys, deep nesting, invalid
 * JSON, wrong content types — sent with a valid token of a role the route
 * allows. Inputs are shaped by the route's own OpenAPI description (and, for
 * events, by the machines' event schemas), so many get past the first check
 * and reach the domain, the engine and the database. Properties: never a
 * 5xx; every 4xx is problem+json with a request id and no internals; a
 * rejected request (and any GET) leaves the database exactly as it was
 * (compared in batches: a batch with an accepted write starts a new one).
 *
 * FUZZ_RUNS (per route, default 120) and FUZZ_SEED make a run longer or
 * repeatable; a failure prints the seed and the shrunk request.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const BATCH = 25;

let t: TestApp;
const tokens: Partial<Record<Role, Record<string, string>>> = {};
let openapi: OpenApi;
const pools: Record<string, string[]> = {};
let sent = 0;
/** Answers by status, to see how deep the generated requests get (printed at the end). */
const statuses = new Map<number, number>();
const started = Date.now();

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

// ---- hostile values -------------------------------------------------------

const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE audit_log; --",
  "1; UPDATE tokens SET role='admin'--",
  '" OR ""="',
  "') OR ('a'='a",
  '1) UNION SELECT token_hash FROM tokens--',
  "$$; select pg_sleep(5); $$",
  '\\',
  '%',
  '_',
  '%_%',
  '\u0000',
  'a\u0000b',
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const ODD = ['', ' ', 'null', 'undefined', 'NaN', 'Infinity', '-1', '0', '1e309', '9'.repeat(40), 'true', '[]', '{}', '../../etc/passwd', '%00', '%E0%A4%A', 'Ꙭ', '𝕏', '\u202e', '\ud800', 'ﷺ', 'Đắk Lắk', '<script>alert(1)</script>', '${7*7}', '{{7*7}}'];

const hugeString = fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'A'.repeat(n));
const weirdString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SQL, ...ODD, ...PROTO_KEYS) },
  { weight: 1, arbitrary: hugeString },
);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 2 ** 31, 2 ** 53, -(2 ** 63), Number.MAX_VALUE, 1e-300, 0.1),
);
const weirdScalar = fc.oneof(weirdString, weirdNumber, fc.boolean(), fc.constant(null));

/** Deep or wide JSON with poisonous keys. */
const weirdJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    weirdScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const deepNesting = fc.integer({ min: 50, max: 20_000 }).chain((n) =>
  fc.constantFrom(`${'['.repeat(n)}${']'.repeat(n)}`, `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`, '['.repeat(n)),
);

const invalidJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    'nul',
    "{'a':1}",
    '{"a":1,}',
    '\u0000',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":"\\ud800"}',
    '{"type":"CANCEL","reason":"\\u0000"}',
    '  ',
    '1e99999',
  ),
  deepNesting,
  fc.string({ maxLength: 60 }),
);

// ---- values shaped by a schema ----------------------------------------------

function patternArb(pattern: string): fc.Arbitrary<string> | undefined {
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return undefined;
  }
}

/** A value meant to satisfy `schema` (mostly), so requests get past validation and into the service. */
function plausible(schema: JsonSchema | undefined, depth = 0, name = ''): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return weirdScalar;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options && options.length > 0) return fc.oneof(...options.map((s) => plausible(s, depth + 1, name)));
  if (schema.allOf?.[0]) return plausible(schema.allOf[0], depth + 1, name);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      const pool = pools[name] ?? (schema.format === 'uuid' ? pools.id : undefined);
      if (pool && pool.length > 0) return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: fc.uuid() });
      if (schema.format === 'date') return fc.constantFrom('2020-07-15', '2020-08-20', '2021-02-29', '2020-12-31', '2019-01-01', '0000-01-01');
      if (schema.format === 'date-time') return fc.constantFrom('2020-07-15T08:00:00+07:00', '2030-01-01T00:00:00Z', '2020-06-01T00:00:00Z');
      if (schema.format === 'email') return fc.constantFrom('vanthu@snv.daklak.gov.vn', 'a@b.co');
      if (schema.format === 'uri' || name === 'url') return fc.constantFrom('https://hooks.example.vn/k', 'http://127.0.0.1:9/x');
      const matching = schema.pattern ? patternArb(schema.pattern) : undefined;
      if (matching) return matching.filter((s) => s.length <= (schema.maxLength ?? 200));
      return fc.string({ minLength: Math.min(schema.minLength ?? 0, 30), maxLength: Math.min(schema.maxLength ?? 60, 60) });
    }
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -1e6), max: Math.min(schema.maximum ?? 1000, 1e6) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(maybeHostile(schema.items, depth + 1, name), { maxLength: 4 });
    case 'object': {
      const props = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      const record = Object.fromEntries(props.map(([k, s]) => [k, maybeHostile(s, depth + 1, k)]));
      const requiredKeys = props.map(([k]) => k).filter((k) => required.has(k));
      return fc
        .tuple(
          fc.record(record, { requiredKeys: fc.sample(fc.constant(requiredKeys), 1)[0]! }),
          fc.dictionary(fc.constantFrom(...PROTO_KEYS, 'extra', 'type', 'id'), weirdScalar, { maxKeys: 1 }),
          fc.boolean(),
        )
        .map(([base, extra, addExtra]) => (addExtra ? { ...extra, ...base } : base));
    }
    default:
      return weirdJson;
  }
}

/** Usually the plausible value, sometimes something hostile in its place. */
function maybeHostile(schema: JsonSchema | undefined, depth = 0, name = ''): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: plausible(schema, depth, name) }, { weight: 1, arbitrary: weirdJson });
}

// ---- requests ---------------------------------------------------------------

/** Percent-encoding that does not throw on lone surrogates (their UTF-8 replacement is sent). */
function enc(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

function describeRequest(r: FuzzRequest): string {
  const body = r.payload === undefined ? '' : ` ${r.payload.length > 300 ? `${r.payload.slice(0, 300)}… (${r.payload.length} chars)` : r.payload}`;
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'authorization'));
  return `${r.method} ${r.url.length > 300 ? `${r.url.slice(0, 300)}…` : r.url} ${JSON.stringify(headers).slice(0, 300)}${body}`;
}

const eventSchemas: JsonSchema[] = Object.values(machineModules).flatMap((m) =>
  Object.values(m.events).map((schema) => z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema),
);

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'application/json, text/plain',
  '*/*',
];

function requestArb(key: string, allowed: readonly Role[]): fc.Arbitrary<FuzzRequest> {
  const [method, path] = key.split(' ') as [string, string];
  const op = openapi.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()] ?? {};
  const params = op.parameters ?? [];
  const pathNames = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const pathArb = fc.tuple(
    ...pathNames.map((name) => {
      const schema = params.find((p) => p.in === 'path' && p.name === name)?.schema;
      return fc.oneof(
        { weight: 4, arbitrary: plausible(schema, 0, name).map((v) => enc(String(v))) },
        { weight: 2, arbitrary: weirdString.map((v) => enc(v.slice(0, 2000))) },
        { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%2e%2e%2f', '%00', 'a%2Fb', '%C0%AF') },
      // A bare `.` or `..` segment is resolved by every client before sending: it names another route, not a parameter.
      ).filter((v) => !['.', '..', '%2e', '%2E', '%2e%2e', '%2E%2E', '.%2e', '%2e.'].includes(v));
    }),
  );
  const queryParams = params.filter((p) => p.in === 'query');
  const queryArb = fc
    .tuple(
      fc.array(
        fc.oneof(
          { weight: 4, arbitrary: queryParams.length > 0 ? fc.constantFrom(...queryParams).chain((p) => plausible(p.schema, 0, p.name).map((v) => [p.name, String(v)] as const)) : fc.constant(['q', 'x'] as const) },
          { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...queryParams.map((p) => p.name), ...PROTO_KEYS, 'token', 'limit', 'cursor'), weirdString.map((s) => s.slice(0, 3000))) },
        ),
        { maxLength: 4 },
      ),
      fc.constantFrom('', '', '', '&', '&&=', '=x', '%', 'a[b]=1', 'a=%zz'),
    )
    .map(([pairs, raw]) => {
      const q = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
      const all = [q, raw].filter(Boolean).join('&');
      return all ? `?${all}` : '';
    });
  const headerParams = params.filter((p) => p.in === 'header');
  const headersArb = fc
    .array(
      fc.oneof(
        headerParams.length > 0
          ? fc.constantFrom(...headerParams).chain((p) => plausible(p.schema, 0, p.name).map((v) => [p.name, String(v)] as const))
          : fc.constant(['accept', 'application/json'] as const),
        fc.tuple(
          fc.constantFrom('if-match', 'idempotency-key', 'x-request-id', 'last-event-id', 'accept', 'origin', 'cookie', 'x-forwarded-for', 'accept-language'),
          fc.oneof(weirdString.map((s) => s.slice(0, 4000)), fc.constantFrom('"1"', 'W/"2"', '*', 'k-1', '-1', '99999999999')),
        ),
      ),
      { maxLength: 3 },
    )
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v))));

  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const isEvent = path.endsWith('/events');
  const json = (arb: fc.Arbitrary<unknown>) => arb.map((v) => ({ contentType: 'application/json', payload: JSON.stringify(v) ?? 'null' }));
  const bodyArb =
    method === 'GET' || method === 'DELETE'
      ? fc.option(json(weirdJson), { freq: 6 }).map((b) => b ?? undefined)
      : fc.oneof(
          { weight: 6, arbitrary: json(isEvent ? fc.oneof(...eventSchemas.map((s) => plausible(s))) : plausible(bodySchema)) },
          { weight: 2, arbitrary: json(weirdJson) },
          { weight: 2, arbitrary: invalidJson.map((payload) => ({ contentType: 'application/json', payload })) },
          {
            weight: 1,
            arbitrary: fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.oneof(weirdString, json(plausible(bodySchema)).map((b) => b.payload))).map(([contentType, payload]) => ({ contentType, payload })),
          },
          { weight: 1, arbitrary: fc.constant(undefined) },
        );

  return fc.record({ role: fc.constantFrom(...allowed), pathValues: pathArb, query: queryArb, headers: headersArb, body: bodyArb }).map(
    ({ role, pathValues, query, headers, body }) => {
      let i = 0;
      const url = path.replace(/:(\w+)/g, () => pathValues[i++] as string) + query;
      const all: Record<string, string> = { ...headers, ...tokens[role] };
      if (body) all['content-type'] = body.contentType;
      return { method, url, headers: all, payload: body?.payload };
    },
  );
}

// ---- the run ------------------------------------------------------------------

const streaming = new Set<string>();

async function send(r: FuzzRequest, base: string): Promise<{ status: number; contentType: string; requestId: string; body: string }> {
  sent += 1;
  if (streaming.has(`${r.method} ${r.url.split('?')[0]}`) || streaming.has(r.method + ' ' + r.url.split('?')[0]!.replace(/\/$/, ''))) {
    const controller = new AbortController();
    const res = await fetch(`${base}${r.url}`, { method: r.method, headers: r.headers, signal: controller.signal });
    const contentType = res.headers.get('content-type') ?? '';
    const body = contentType.startsWith('text/event-stream') ? '' : await res.text();
    controller.abort();
    return { status: res.status, contentType, requestId: res.headers.get('x-request-id') ?? '', body };
  }
  const res: LightMyRequestResponse = await t.app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payload: r.payload });
  return {
    status: res.statusCode,
    contentType: String(res.headers['content-type'] ?? ''),
    requestId: String(res.headers['x-request-id'] ?? ''),
    body: res.body,
  };
}

/** Internals a problem's detail must not show (the request's own text may be echoed, so SQL in it is no sign). */
const LEAK = /\bat .+\.(ts|js):\d+:\d+|node_modules|syntax error at or near|relation "|violates .+ constraint|duplicate key value|ZodError|Kysely|ECONNREFUSED/i;

beforeAll(async () => {
  t = await createTestApp();
  const seeded = await seedDemo(t.t.db, t.clock.now(), 'Asia/Ho_Chi_Minh');
  const inspections = await t.t.db.selectFrom('instances').select(['id', 'unit_code']).where('plan_id', '=', seeded.planId!).orderBy('unit_code').execute();
  const unit = inspections[0]!.unit_code!;
  for (const role of ['coordinator', 'inspector', 'chairman', 'observer', 'unit'] as const) {
    tokens[role] = await t.auth(role, role === 'unit' ? unit : undefined);
  }
  tokens.admin = t.admin; // the bootstrap token: no fuzzed request can revoke or rotate it
  const units = (await t.t.db.selectFrom('units').select('code').orderBy('code').limit(20).execute()).map((u) => u.code);
  const ids = [seeded.planId!, ...inspections.slice(0, 4).map((i) => i.id)];
  Object.assign(pools, {
    id: ids,
    inspectionId: ids.slice(1),
    planId: [seeded.planId!],
    code: [unit, ...units],
    unitCode: [unit, ...units],
    parentCode: units,
    name: ['plannedInspection', 'surpriseInspection', 'inspectionPlan', 'Sở Nội vụ'],
    criterionCode: ['a1', 'b2', 'i7', 's1', 's2', 'z9'],
    itemId: ['r1', 'r2', 'x'],
  });
  openapi = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  // Routes that answer with an endless event stream are fuzzed over HTTP and cut after the headers.
  for (const key of Object.keys(ROUTE_ROLES)) {
    const [method, path] = key.split(' ') as [string, string];
    if (method !== 'GET' || path.includes(':') || !t.app.hasRoute({ method: 'GET', url: path })) continue;
    const controller = new AbortController();
    const res = await fetch(`${base}${path}`, { headers: tokens[ROUTE_ROLES[key]![0]!], signal: controller.signal });
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) streaming.add(key);
    controller.abort();
  }
  baseUrl = base;
});
let baseUrl = '';

afterAll(async () => {
  await t?.close();
  const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ');
  console.log(`fuzz: ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (${byStatus})`);
});

const registered = (key: string) => {
  const [method, path] = key.split(' ') as [string, string];
  return t.app.hasRoute({ method: method as 'GET', url: path });
};

describe('bad input, generated, against every route of the access table', () => {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  // One test per entry of the table, so a route added later is fuzzed without touching this file.
  for (const [key, allowed] of Object.entries(ROUTE_ROLES)) {
    it(`${key}: never a 5xx, always problem+json without internals, the database unchanged when refused`, async (ctx) => {
      if (!registered(key)) return ctx.skip();
      const dbChanges: string[] = [];
      let baseline = await databaseFingerprint(t.t.db);
      let batch: string[] = [];
      let dirty = false;
      const closeBatch = async () => {
        const now = await databaseFingerprint(t.t.db);
        if (!dirty && JSON.stringify(now) !== JSON.stringify(baseline)) {
          const changed = Object.keys(now).filter((k) => now[k] !== baseline[k]);
          dbChanges.push(`tables ${changed.join(', ')} changed by one of:\n  ${batch.join('\n  ')}`);
        }
        baseline = now;
        batch = [];
        dirty = false;
      };
      const before = sent;

      await fc.assert(
        fc.asyncProperty(requestArb(key, allowed), async (r) => {
          const res = await send(r, baseUrl);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const what = `${describeRequest(r)} → ${res.status}`;
          batch.push(what);
          if (res.status < 400 && r.method !== 'GET') dirty = true;
          expect(res.status, what).toBeLessThan(500);
          expect(res.status === 301 || res.status === 302 || res.status === 303 || res.status === 307, `an API route redirects: ${what}`).toBe(false);
          expect(res.requestId, what).toMatch(/^[\w.-]{1,128}$/);
          if (res.status >= 400) {
            expect(res.contentType, what).toMatch(/^application\/problem\+json/);
            const problem = JSON.parse(res.body) as Record<string, unknown>;
            expect(problem, what).toMatchObject({ status: res.status, type: expect.stringMatching(/^urn:kiemtra-cchc:problem:/), title: expect.any(String) });
            expect(String(problem.detail), what).not.toMatch(LEAK);
          }
          if (batch.length >= BATCH) await closeBatch();
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      await closeBatch();

      expect(dbChanges).toEqual([]);
      expect(sent - before).toBeGreaterThanOrEqual(RUNS);
    });
  }

  it('left no trace on Object.prototype (no prototype pollution)', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
