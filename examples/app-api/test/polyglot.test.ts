/**
 * Accounts moving from Cosmos DB to PostgreSQL: the phase comes from ACCOUNTS_PHASE and changes
 * at runtime through the admin route (a token with the `admin` role), with the outbox drained on
 * the way.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi } from '../src/app.ts';
import { createAccount, type Harness, startHarness, type TestUser } from './support/harness.ts';

let h: Harness;
let ops: TestUser;
let owner: TestUser;

beforeAll(async () => {
  h = await startHarness('polyglot', {
    env: { ACCOUNTS_PHASE: 'PrimaryOnly', PHASE_POLL_MS: '100' },
  });
  ops = await h.user('ops', ['admin']);
  owner = await h.user('mover');
});
afterAll(async () => {
  await h?.close();
});

async function create(email: string): Promise<string> {
  return (await createAccount(owner, { email, displayName: 'Mover' })).id;
}

async function inPostgres(id: string): Promise<boolean> {
  const res = await h.api.stores.db.query(
    `SELECT 1 FROM "${h.config.pgSchema}".accounts WHERE id = $1`,
    [id],
  );
  return res.rows.length === 1;
}

const setPhase = (phase: string, as: TestUser = ops, force = false) =>
  as.inject({ method: 'PUT', url: '/v1/admin/polyglot/accounts/phase', payload: { phase, force } });

describe('accounts across the migration phases', () => {
  it('writes Cosmos DB only in PrimaryOnly, both stores once dual writes are on', async () => {
    const early = await create('early@example.com');
    expect(await inPostgres(early)).toBe(false);
    expect((await owner.inject({ method: 'GET', url: `/v1/accounts/${early}` })).statusCode).toBe(
      200,
    );

    const switched = await setPhase('DualWritePrimaryRead');
    expect(switched.statusCode).toBe(200);
    expect(switched.json()).toEqual({ phases: { accounts: 'DualWritePrimaryRead' } });

    const dual = await create('dual@example.com');
    expect(await inPostgres(dual)).toBe(true);

    // Backfill what predates the dual writes, then read from PostgreSQL.
    await h.api.stores.polyglot.backfill('accounts');
    expect(await inPostgres(early)).toBe(true);
    expect((await setPhase('DualWriteSecondaryRead')).statusCode).toBe(200);
    expect((await setPhase('SecondaryOnly')).statusCode).toBe(200);
    const read = await owner.inject({ method: 'GET', url: `/v1/accounts/${early}` });
    expect(read.statusCode).toBe(200);
    expect(read.json().email).toBe('early@example.com');

    // Going back from SecondaryOnly needs force: the primary stopped receiving writes.
    const back = await setPhase('PrimaryOnly');
    expect(back.statusCode).toBe(409);
    expect(back.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses the admin routes without a token (401) or the admin role (403), and unknown phases', async () => {
    expect((await setPhase('DualWrite', owner)).statusCode).toBe(403);
    const noAuth = await h.api.app.inject({ method: 'GET', url: '/v1/admin/polyglot/phases' });
    expect(noAuth.statusCode).toBe(401);
    expect(noAuth.headers['www-authenticate']).toMatch(/^Bearer /);
    const bad = await setPhase('Sideways');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('/phase');
    const phases = await ops.inject({ method: 'GET', url: '/v1/admin/polyglot/phases' });
    expect(phases.json()).toEqual({ phases: { accounts: 'SecondaryOnly' } });

    // Documented as bearer-protected, and the document stays valid with the admin routes in it.
    const doc = (await h.api.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/v1/admin/polyglot/{entity}/phase'].put.security).toEqual([{ bearer: [] }]);
    await SwaggerParser.validate(doc);
  });
});

describe('several instances', () => {
  it('a new instance starts in the recorded phase, and follows a switch made on another', async () => {
    // Same schema, Cosmos database and chain; ACCOUNTS_PHASE says PrimaryOnly, but SecondaryOnly
    // was recorded by the switch above.
    const second = await createAppApi(h.config, { logger: pino({ level: 'silent' }) });
    try {
      expect(second.stores.polyglot.phase('accounts')).toBe('SecondaryOnly');
      expect((await setPhase('DualWrite', ops, true)).statusCode).toBe(200);
      const deadline = Date.now() + 10_000;
      while (second.stores.polyglot.phase('accounts') !== 'DualWrite' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(second.stores.polyglot.phase('accounts')).toBe('DualWrite');
    } finally {
      await second.close();
    }
  });
});
