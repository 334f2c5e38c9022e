/**
 * Accounts over HTTP (Fastify inject) against real PostgreSQL, cosmosdb-server and a devnet chain,
 * created and read by signed-in users (tokens from the harness's local issuer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, randomWallet, startHarness, type TestUser } from './support/harness.ts';

let h: Harness;
let ada: TestUser;
beforeAll(async () => {
  h = await startHarness('accounts');
  ada = await h.user('ada');
});
afterAll(async () => {
  await h?.close();
});

const newAccount = (email: string) => ({
  email,
  displayName: 'Ada Lovelace',
  walletAddress: randomWallet(),
});

describe('accounts', () => {
  it('creates an account (201, Location, ETag) and reads it back from PostgreSQL', async () => {
    const body = newAccount('ada@example.com');
    const created = await ada.inject({ method: 'POST', url: '/v1/accounts', payload: body });
    expect(created.statusCode).toBe(201);
    const account = created.json();
    expect(account).toMatchObject({ ...body, version: 1 });
    // The owner is stored, never shown.
    expect(account).not.toHaveProperty('ownerId');
    expect(created.headers.location).toBe(`/v1/accounts/${account.id}`);
    expect(created.headers.etag).toBe('"1"');

    const before = h.api.stores.accountCache.metrics();
    const read = await ada.inject({ method: 'GET', url: `/v1/accounts/${account.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(account);
    const again = await ada.inject({ method: 'GET', url: `/v1/accounts/${account.id}` });
    expect(again.json()).toEqual(account);
    // Behind the cache too (the memory store here): the second read is a hit.
    expect(h.api.stores.accountCache.metrics().hits - before.hits).toBe(1);

    // The default phase is SecondaryOnly: the row is in PostgreSQL's typed columns.
    const rows = await h.api.stores.db.query<{ email: string; ownerId: string }>(
      `SELECT * FROM "${h.config.pgSchema}".accounts WHERE id = $1`,
      [account.id],
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]?.email).toBe('ada@example.com');
    expect(rows.rows[0]?.ownerId).toBe(ada.subject);
  });

  it('treats emails case-insensitively and refuses the owner a second account with it (409 with the field)', async () => {
    await ada.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: newAccount('lin@example.com'),
    });
    const again = await ada.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: newAccount('LIN@Example.com'),
    });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.json()).toMatchObject({
      status: 409,
      title: 'Conflict',
      instance: '/v1/accounts',
      errors: [{ field: '/email', message: 'is already registered to one of your accounts' }],
    });
  });

  it('answers an invalid body with 400 and one JSON-pointer error per bad field', async () => {
    const res = await ada.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { email: 'not-an-email', walletAddress: '0x123', nickname: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem).toMatchObject({
      type: 'https://mystira.app/problems/validation',
      status: 400,
      instance: '/v1/accounts',
    });
    const fields = problem.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['/displayName', '/email', '/nickname', '/walletAddress']);
  });

  it('does not coerce types in bodies: a number is not a display name', async () => {
    const res = await ada.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { ...newAccount('num@example.com'), displayName: 42 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: '/displayName', message: 'must be string' }]);
  });

  it('answers malformed JSON and a missing account with problems', async () => {
    const bad = await ada.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);

    const missing = await ada.inject({ method: 'GET', url: '/v1/accounts/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 404, detail: 'account nope does not exist' });

    const badId = await ada.inject({ method: 'GET', url: '/v1/accounts/has%20space' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().errors[0].field).toBe('/id');
  });
});
