/**
 * One of the processes of the multi-process nonce test: submits `COUNT` value transfers with
 * the shared key (from the environment, never printed) through the PostgreSQL nonce lease,
 * waits for them to be mined, and prints `{ nonces, errors }` as JSON.
 */
import pg from 'pg';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  PostgresNonceLease,
  PostgresSubmissionJournal,
  TransactionSubmitter,
} from '../../src/transactions/index.js';

const { RPC_URL, SIGNER_KEY, SCHEMA, COUNT, DATABASE_URL, CHAIN_ID } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
const client = createPublicClient({ transport: http(RPC_URL, { retryCount: 0 }), cacheTime: 0 });
const submitter = new TransactionSubmitter({
  client,
  account: privateKeyToAccount(SIGNER_KEY as Hex),
  chainId: Number(CHAIN_ID),
  lease: new PostgresNonceLease({ pool, table: `${SCHEMA}.signer_nonces` }),
  journal: new PostgresSubmissionJournal({ pool, table: `${SCHEMA}.tx_submissions` }),
  pollIntervalMs: 50,
});
const errors: string[] = [];
const nonces: string[] = [];
await Promise.all(
  Array.from({ length: Number(COUNT) }, async (_, i) => {
    try {
      const submission = await submitter.submit({
        to: '0x000000000000000000000000000000000000dEaD',
        value: BigInt(i + 1),
      });
      const mined = await submission.mined();
      nonces.push(mined.nonce.toString());
    } catch (error) {
      errors.push(String(error).slice(0, 300));
    }
  }),
);
submitter.close();
await pool.end();
process.stdout.write(JSON.stringify({ nonces, errors }));
