/**
 * One Chain server process of the fault tests: `createChainServer` over a `storyLedger` that
 * reaches the node over HTTP JSON-RPC and keeps its journal, nonce lease and content index in
 * PostgreSQL (tables in the test's schema), as a deployment of several instances would.
 *
 * Configured by environment (the signing key among it, never printed). When listening it
 * prints one line `READY {"port":…,"collection":…,"signer":…}` on stdout. Submissions that
 * took a nonce somebody else had used (`renonced`) and background errors go to stderr as
 * `EVENT {…}` lines, so a test can tell a silent recovery from a clean run. It exits when its
 * stdin closes (the test process went away) or on SIGTERM.
 */
import { createChainServer } from '@mystira/chain-server';
import pg from 'pg';
import type { Address, Hex } from 'viem';
import { postgresContentIndex } from '../../src/content-index/postgres.js';
import { type StoryLedgerEvent, storyLedger } from '../../src/ledger/index.js';
import { PostgresNonceLease, PostgresSubmissionJournal } from '../../src/transactions/index.js';

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`server-child: ${name} is not set`);
  return value;
};

const schema = required('SCHEMA');
const pool = new pg.Pool({ connectionString: required('DATABASE_URL'), max: 8 });
const contentIndex = postgresContentIndex({ pool, schema, table: 'content_index' });
const journal = new PostgresSubmissionJournal({ pool, table: `${schema}.tx_submissions` });
const nonceLease = new PostgresNonceLease({ pool, table: `${schema}.signer_nonces` });

const report = (event: StoryLedgerEvent) => {
  const line = (value: Record<string, unknown>) =>
    process.stderr.write(
      `EVENT ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
    );
  const text = (error: unknown) => String(error instanceof Error ? error.message : error);
  if (event.type === 'error')
    line({ type: 'error', context: event.context, error: text(event.error) });
  else if (event.type === 'submission' && ['renonced', 'error'].includes(event.event.type))
    line({
      type: event.event.type,
      key: event.event.key,
      nonce: event.event.nonce,
      ...(event.event.error !== undefined && { error: text(event.event.error) }),
    });
};

const ledger = await storyLedger({
  rpcUrls: [required('RPC_URL')],
  // An endpoint's breaker opens after 5 failures in a row and refuses calls while open; the
  // default 10 s of refusal would only make the node-restart test slower, never different.
  failover: { timeoutMs: 5_000, halfOpenAfterMs: 250 },
  signer: required('SIGNER_KEY') as Hex,
  ...(env.SPG_NFT_CONTRACT && { spgNftContract: env.SPG_NFT_CONTRACT as Address }),
  requiredConfirmations: Number(env.CONFIRMATIONS ?? '1'),
  pollIntervalMs: Number(env.POLL_MS ?? '50'),
  rpcTimeoutMs: 5_000,
  deployVaults: env.DEPLOY_VAULTS === '1',
  journal,
  nonceLease,
  contentIndex,
  onEvent: report,
});

const server = createChainServer({
  ledger,
  onInternalError: (error, method) =>
    process.stderr.write(`INTERNAL ${method}: ${String((error as Error)?.stack ?? error)}\n`),
});
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(
  `READY ${JSON.stringify({ port, collection: ledger.collection, signer: ledger.signer })}\n`,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close({ deadlineMs: 1_000 }).catch(() => {});
  ledger.close();
  await pool.end().catch(() => {});
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
// The test process holds the other end of stdin: when it exits, so does this server.
process.stdin.on('end', () => void stop());
process.stdin.resume();
