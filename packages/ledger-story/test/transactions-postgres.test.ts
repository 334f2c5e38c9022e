import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NonceLeaseLostError,
  PostgresNonceLease,
  PostgresSubmissionJournal,
  TransactionSubmitter,
} from '../src/transactions/index.js';
import { DEAD_ADDRESS, startTestChain, TEST_CHAIN_ID, type TestChain } from './support/chain.js';
import { serveJsonRpc } from './support/http.js';
import { DATABASE_URL, freshSchema } from './support/postgres.js';

let chain: TestChain;
let db: Awaited<ReturnType<typeof freshSchema>>;

beforeAll(async () => {
  chain = await startTestChain();
  db = await freshSchema();
  await new PostgresNonceLease({
    pool: db.pool,
    table: `${db.schema}.signer_nonces`,
  }).migrate();
  await new PostgresSubmissionJournal({
    pool: db.pool,
    table: `${db.schema}.tx_submissions`,
  }).migrate();
});
afterAll(async () => {
  await db?.drop();
  await chain?.close();
});

const other = DEAD_ADDRESS;

function parts(pool = db.pool) {
  return {
    lease: new PostgresNonceLease({ pool, table: `${db.schema}.signer_nonces` }),
    journal: new PostgresSubmissionJournal({ pool, table: `${db.schema}.tx_submissions` }),
  };
}

describe('migrate', () => {
  it('creates the tables once when several instances start together', async () => {
    const fresh = await freshSchema();
    try {
      const table = (name: string) => `${fresh.schema}.${name}`;
      await Promise.all(
        Array.from({ length: 4 }, () => [
          new PostgresNonceLease({ pool: fresh.pool, table: table('signer_nonces') }).migrate(),
          new PostgresSubmissionJournal({
            pool: fresh.pool,
            table: table('tx_submissions'),
          }).migrate(),
        ]).flat(),
      );
      const { rows } = await fresh.pool.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
        [fresh.schema],
      );
      expect(rows.map((r) => r.table_name)).toEqual(['signer_nonces', 'tx_submissions']);
    } finally {
      await fresh.drop();
    }
  });
});

describe('PostgresNonceLease', () => {
  it('fences a holder that sat on the lease past its timeout', async () => {
    const lease = new PostgresNonceLease({
      pool: db.pool,
      table: `${db.schema}.signer_nonces`,
      leaseTimeoutMs: 200,
    });
    const signer = privateKeyToAccount(await chain.fundedKey()).address;
    const first = await lease.acquire(signer);
    await first.release(5n);
    const stale = await lease.acquire(signer);
    expect(stale.storedNextNonce).toBe(5n);
    await new Promise((r) => setTimeout(r, 500)); // the server ends the idle transaction
    const next = await lease.acquire(signer);
    expect(next.epoch).toBe(stale.epoch + 1n);
    await next.release(9n);
    await expect(stale.release(7n)).rejects.toBeInstanceOf(NonceLeaseLostError);
    const after = await lease.acquire(signer);
    expect(after.storedNextNonce).toBe(9n);
    await after.release(undefined);
  });
});

describe('several processes, one signer', () => {
  it('two processes submitting 100 transactions each: 200 mined, no nonce error, no gap', async () => {
    const server = await serveJsonRpc(chain.provider);
    const key = await chain.fundedKey();
    const address = privateKeyToAccount(key).address;
    const child = fileURLToPath(new URL('./support/nonce-child.ts', import.meta.url));
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', child], {
        env: {
          ...process.env,
          RPC_URL: server.url,
          SIGNER_KEY: key,
          SCHEMA: db.schema,
          COUNT: '100',
          DATABASE_URL,
          CHAIN_ID: String(TEST_CHAIN_ID),
        },
        timeout: 120_000,
      });
    try {
      const outputs = await Promise.all([run(), run()]);
      const results = outputs.map(
        (o) => JSON.parse(o.stdout) as { nonces: string[]; errors: string[] },
      );
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const nonces = results.flatMap((r) => r.nonces.map(Number)).sort((a, b) => a - b);
      expect(nonces).toEqual(Array.from({ length: 200 }, (_, i) => i));
      // Both processes really took part.
      expect(results.every((r) => r.nonces.length === 100)).toBe(true);
      expect(await chain.client.getTransactionCount({ address })).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('PostgresSubmissionJournal', () => {
  it('a restarted process re-broadcasts the same signed transaction, never re-signs it', async () => {
    const key = await chain.fundedKey();
    const account = privateKeyToAccount(key);
    const make = (pool = db.newPool()) =>
      new TransactionSubmitter({
        client: chain.client,
        account,
        chainId: TEST_CHAIN_ID,
        ...parts(pool),
        pollIntervalMs: 20,
        replaceAfterMs: 3_600_000,
      });
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const before = await make();
      const submitted = await before.submit(
        { to: other, value: 42n },
        { idempotencyKey: 'order-1' },
      );
      before.close(); // the process dies before the transaction is mined
      // ...and the node loses it too (a restart, an eviction).
      expect(await chain.rpc('hardhat_dropTransaction', [submitted.hash])).toBe(true);
      await expect(chain.client.getTransaction({ hash: submitted.hash })).rejects.toThrow();

      const after = await make();
      const again = await after.submit({ to: other, value: 42n }, { idempotencyKey: 'order-1' });
      expect(again.hash).toBe(submitted.hash);
      expect(again.nonce).toBe(submitted.nonce);
      expect(again.hashes).toEqual([submitted.hash]);
      // Back in the node's pool, byte for byte.
      expect((await chain.client.getTransaction({ hash: submitted.hash })).nonce).toBe(0);
      // A new key takes the next nonce, not the journaled one.
      const fresh = await after.submit({ to: other, value: 1n }, { idempotencyKey: 'order-2' });
      expect(fresh.nonce).toBe(1n);

      await chain.rpc('evm_mine');
      await expect(again.mined()).resolves.toMatchObject({
        hash: submitted.hash,
        status: 'success',
      });
      await fresh.mined();
      after.close();

      // Once mined, the key answers with the mined transaction and sends nothing.
      const third = await make();
      const done = await third.submit({ to: other, value: 42n }, { idempotencyKey: 'order-1' });
      await expect(done.mined()).resolves.toMatchObject({ hash: submitted.hash });
      third.close();
      expect(
        await chain.client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
      ).toBe(2);
    } finally {
      await chain.rpc('evm_setAutomine', [true]);
    }
  });
});
