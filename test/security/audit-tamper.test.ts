import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAdminAction } from '../../src/domain/admin-audit.js';
import { appendAudit } from '../../src/engine/audit.js';
import { inTransaction } from '../../src/engine/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { coordinator, driveToFindings, newPlanned, seedPlan, T0 } from '../support/fixtures.js';

/**
 * Tampering the way only someone with the database's superuser could: the
 * append-only triggers switched off, rows changed, removed or reordered with
 * plain SQL. Each change must be found, at the first seq it breaks, by the
 * API and by the CLI run as a real process.
 */

const run = promisify(execFile);
let t: TestApp;
let planId: string;

beforeAll(async () => {
  t = await createTestApp();
  planId = await seedPlan(t.t.db, ['U1']);
});
afterAll(async () => {
  await t?.close();
});

type Db = TestApp['t']['db'];

/** Runs `change` with every trigger of the audit tables off (superuser only), then switches them back on. */
async function asSuperuser(db: Db, change: (db: Db) => Promise<unknown>): Promise<void> {
  await sql`alter table audit_log disable trigger user`.execute(db);
  await sql`alter table admin_audit disable trigger user`.execute(db);
  try {
    await change(db);
  } finally {
    await sql`alter table audit_log enable trigger user`.execute(db);
    await sql`alter table admin_audit enable trigger user`.execute(db);
  }
}

/** A planned inspection with an intact chain of 6 rows: CREATE, REQUEST_SELF_REPORT, SUBMIT_SELF_REPORT, SCHEDULE_VISIT, START_VISIT, COMPLETE_VISIT. */
async function freshChain(): Promise<string> {
  const id = await newPlanned(t.t.db, planId);
  await driveToFindings(t.t.db, id);
  return id;
}

async function verify(query = '') {
  const res = await t.app.inject({ method: 'GET', url: `/audit/verify${query}`, headers: t.admin });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { ok: boolean; checked: number; brokenAt?: { instanceId?: string; chain?: string; seq: number; reason: string } };
}

/**
 * Tampers with one fresh chain, checks what verification says about it (alone
 * and as part of everything), then puts the rows back, so each case stands
 * on its own.
 */
async function tamperCase(change: (id: string) => Promise<unknown>, seq: number, reason: RegExp, checked = seq - 1): Promise<void> {
  const id = await freshChain();
  const saved = await t.t.db.selectFrom('audit_log').selectAll().where('instance_id', '=', id).execute();
  const instance = await t.t.db.selectFrom('instances').select(['version', 'last_hash']).where('id', '=', id).executeTakeFirstOrThrow();
  expect(await verify(`?inspectionId=${id}`)).toEqual({ ok: true, checked: 6 });
  await asSuperuser(t.t.db, () => change(id));
  try {
    const one = await verify(`?inspectionId=${id}`);
    expect(one).toEqual({ ok: false, checked, brokenAt: { instanceId: id, seq, reason: expect.stringMatching(reason) } });
    const all = await verify();
    expect(all).toMatchObject({ ok: false, brokenAt: { instanceId: id, seq } });
  } finally {
    await asSuperuser(t.t.db, async (db) => {
      await db.deleteFrom('audit_log').where('instance_id', '=', id).execute();
      await db.insertInto('audit_log').values(saved.map((r) => ({ ...r, event: JSON.stringify(r.event) }))).execute();
      await db.updateTable('instances').set(instance).where('id', '=', id).execute();
    });
  }
  expect(await verify(`?inspectionId=${id}`)).toEqual({ ok: true, checked: 6 });
}

describe('a tampered instance chain is found at the first broken seq', () => {
  it('a payload changed', async () => {
    await tamperCase(
      (id) => sql`update audit_log set event = jsonb_set(event, '{date}', '"2020-09-01"') where instance_id = ${id} and seq = 4`.execute(t.t.db),
      4,
      /changed/,
    );
  });

  it('a time, an actor or a state changed', async () => {
    await tamperCase((id) => sql`update audit_log set at = at + interval '1 second' where instance_id = ${id} and seq = 2`.execute(t.t.db), 2, /changed/);
    await tamperCase((id) => sql`update audit_log set actor_role = 'chairman' where instance_id = ${id} and seq = 5`.execute(t.t.db), 5, /changed/);
    await tamperCase((id) => sql`update audit_log set to_state = 'closed' where instance_id = ${id} and seq = 6`.execute(t.t.db), 6, /changed/);
  });

  it('a row in the middle deleted', async () => {
    await tamperCase((id) => sql`delete from audit_log where instance_id = ${id} and seq = 3`.execute(t.t.db), 3, /seq 3 is missing/);
  });

  it('the first row deleted', async () => {
    await tamperCase((id) => sql`delete from audit_log where instance_id = ${id} and seq = 1`.execute(t.t.db), 1, /seq 1 is missing/);
  });

  it('the newest row deleted', async () => {
    await tamperCase((id) => sql`delete from audit_log where instance_id = ${id} and seq = 6`.execute(t.t.db), 6, /after seq 5 are missing/);
  });

  it('the newest row deleted and the instance’s version turned back to hide it', async () => {
    await tamperCase(
      async (id) => {
        await sql`delete from audit_log where instance_id = ${id} and seq = 6`.execute(t.t.db);
        await sql`update instances set version = 5 where id = ${id}`.execute(t.t.db);
      },
      5,
      /newest row is not the one the instance points at/,
      5,
    );
  });

  it('every row of an instance deleted (also found when verifying everything)', async () => {
    await tamperCase((id) => sql`delete from audit_log where instance_id = ${id}`.execute(t.t.db), 1, /every audit row/);
  });

  it('two rows swapped (their seq exchanged)', async () => {
    await tamperCase(
      async (id) => {
        await sql`update audit_log set seq = -1 where instance_id = ${id} and seq = 2`.execute(t.t.db);
        await sql`update audit_log set seq = 2 where instance_id = ${id} and seq = 3`.execute(t.t.db);
        await sql`update audit_log set seq = 3 where instance_id = ${id} and seq = -1`.execute(t.t.db);
      },
      2,
      /prev_hash/,
    );
  });

  it('a row forged onto the end, hashed correctly, without moving the instance along', async () => {
    await tamperCase(
      async (id) => {
        const last = await t.t.db.selectFrom('audit_log').selectAll().where('instance_id', '=', id).where('seq', '=', 6).executeTakeFirstOrThrow();
        await appendAudit(t.t.db, {
          instanceId: id,
          seq: 7,
          at: last.at,
          actor: coordinator,
          event: { type: 'CANCEL', reason: 'x' },
          from: last.to_state,
          to: 'cancelled',
          prevHash: last.hash,
        });
      },
      7,
      /past the instance's version 6/,
      7,
    );
  });

  it('is refused by the database itself without superuser powers: no UPDATE, DELETE or TRUNCATE', async () => {
    const id = await freshChain();
    await recordAdminAction(t.t.db, { actor: coordinator, action: 'unit.created', subject: 'X', at: T0 });
    for (const statement of [
      sql`update audit_log set actor_id = 'x' where instance_id = ${id}`,
      sql`delete from audit_log where instance_id = ${id}`,
      sql`truncate audit_log cascade`,
      sql`update admin_audit set actor_id = 'x'`,
      sql`delete from admin_audit`,
      sql`truncate admin_audit`,
    ]) {
      await expect(statement.execute(t.t.db)).rejects.toThrow(/append-only/);
    }
  });
});

describe('verification reads page by page', () => {
  it('checks a chain longer than a page, and finds a break beyond the first page', async () => {
    const id = await newPlanned(t.t.db, planId);
    const rows = 2_500;
    await inTransaction(t.t.db, async (trx) => {
      let prevHash = (await trx.selectFrom('instances').select('last_hash').where('id', '=', id).executeTakeFirstOrThrow()).last_hash;
      for (let seq = 2; seq <= rows; seq++) {
        prevHash = await appendAudit(trx, {
          instanceId: id,
          seq,
          at: new Date(T0.getTime() + seq * 1000),
          actor: coordinator,
          event: { type: 'NOTE', n: seq },
          from: 'planned',
          to: 'planned',
          prevHash,
        });
      }
      await trx.updateTable('instances').set({ version: rows, last_hash: prevHash }).where('id', '=', id).execute();
    });
    expect(await verify(`?inspectionId=${id}`)).toEqual({ ok: true, checked: rows });
    const row = await t.t.db.selectFrom('audit_log').selectAll().where('instance_id', '=', id).where('seq', '=', 1500).executeTakeFirstOrThrow();
    await asSuperuser(t.t.db, (db) => sql`delete from audit_log where instance_id = ${id} and seq = 1500`.execute(db));
    expect(await verify(`?inspectionId=${id}`)).toMatchObject({ ok: false, checked: 1499, brokenAt: { instanceId: id, seq: 1500 } });
    await t.t.db.insertInto('audit_log').values({ ...row, event: JSON.stringify(row.event) }).execute();
    expect(await verify(`?inspectionId=${id}`)).toEqual({ ok: true, checked: rows });
  });
});

describe('the administrative chain', () => {
  it('is verified with scope=admin, and a change, a removal or a swap is found at the first broken seq', async () => {
    const actor = { id: 'admin-1', role: 'admin' };
    for (const code of ['A1', 'A2', 'A3', 'A4']) {
      await recordAdminAction(t.t.db, { actor, action: 'unit.created', subject: code, details: { name: `Unit ${code}` }, at: T0 });
    }
    const { n } = await t.t.db.selectFrom('admin_audit').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const total = Number(n);
    expect(await verify('?scope=admin')).toEqual({ ok: true, checked: total });
    const seqOf = async (subject: string) =>
      (await t.t.db.selectFrom('admin_audit').select('seq').where('subject', '=', subject).executeTakeFirstOrThrow()).seq;
    const s2 = await seqOf('A2');

    const saved = await t.t.db.selectFrom('admin_audit').selectAll().orderBy('seq').execute();
    const restore = () =>
      asSuperuser(t.t.db, async (db) => {
        await db.deleteFrom('admin_audit').execute();
        await db.insertInto('admin_audit').values(saved.map((r) => ({ ...r, details: JSON.stringify(r.details) }))).execute();
      });

    await asSuperuser(t.t.db, (db) => sql`update admin_audit set details = '{"name":"Other"}' where seq = ${s2}`.execute(db));
    expect(await verify('?scope=admin')).toEqual({ ok: false, checked: s2 - 1, brokenAt: { chain: 'admin', seq: s2, reason: expect.stringMatching(/changed/) } });
    expect(await verify()).toMatchObject({ ok: false, brokenAt: { chain: 'admin', seq: s2 } });
    await restore();

    await asSuperuser(t.t.db, (db) => sql`delete from admin_audit where seq = ${s2}`.execute(db));
    expect(await verify('?scope=admin')).toMatchObject({ ok: false, brokenAt: { chain: 'admin', seq: s2, reason: expect.stringMatching(/missing/) } });
    await restore();

    await asSuperuser(t.t.db, async (db) => {
      await sql`update admin_audit set seq = -1 where seq = ${s2}`.execute(db);
      await sql`update admin_audit set seq = ${s2} where seq = ${s2 + 1}`.execute(db);
      await sql`update admin_audit set seq = ${s2 + 1} where seq = -1`.execute(db);
    });
    expect(await verify('?scope=admin')).toMatchObject({ ok: false, brokenAt: { chain: 'admin', seq: s2 } });
    await restore();
    expect(await verify('?scope=admin')).toEqual({ ok: true, checked: total });
  });

  it('refuses a scope that does not go with inspectionId, and an unknown scope', async () => {
    const id = await freshChain();
    for (const query of [`?inspectionId=${id}&scope=admin`, '?scope=everything']) {
      const res = await t.app.inject({ method: 'GET', url: `/audit/verify${query}`, headers: t.admin });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
  });
});

describe('npm run cli -- audit verify, as a real process', () => {
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit', 'verify', ...args], {
      env: { ...process.env, DATABASE_URL: t.t.url, LOG_LEVEL: 'silent' },
    }).then(
      ({ stdout }) => ({ code: 0, out: JSON.parse(stdout.trim().split('\n').at(-1)!) }),
      (err: { code: number; stdout: string }) => ({ code: err.code, out: JSON.parse(err.stdout.trim().split('\n').at(-1)!) }),
    );

  it('exits 0 on an intact trail and 1 on a break, printing the first broken seq', async () => {
    const all = await cli([]);
    expect(all).toEqual({ code: 0, out: { ok: true, checked: expect.any(Number) } });

    const id = await freshChain();
    await asSuperuser(t.t.db, (db) => sql`delete from audit_log where instance_id = ${id} and seq = 3`.execute(db));
    expect(await cli(['--inspection', id])).toEqual({
      code: 1,
      out: { ok: false, checked: 2, brokenAt: { instanceId: id, seq: 3, reason: expect.stringMatching(/seq 3 is missing/) } },
    });
    expect(await cli(['--scope', 'instances'])).toMatchObject({ code: 1, out: { ok: false, brokenAt: { instanceId: id, seq: 3 } } });
    await asSuperuser(t.t.db, (db) => sql`delete from audit_log where instance_id = ${id}`.execute(db));
    expect(await cli(['--inspection', id])).toMatchObject({ code: 1, out: { brokenAt: { instanceId: id, seq: 1 } } });
  });
});
