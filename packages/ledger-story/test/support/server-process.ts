/**
 * Chain server processes for the fault tests: each runs `server-child.ts` under tsx, on a
 * node reached over HTTP and a PostgreSQL schema of the test's own, and can be stopped,
 * killed with SIGKILL and started again on the same journal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ChainClient, createChainClient } from '@mystira/chain-client';
import type pg from 'pg';
import { postgresContentIndex } from '../../src/content-index/postgres.js';
import { PostgresNonceLease, PostgresSubmissionJournal } from '../../src/transactions/index.js';
import { DATABASE_URL } from './postgres.js';

/** What one server process is started with. */
export interface ServerProcessOptions {
  /** The node's JSON-RPC URL (the embedded chain's, or a proxy in front of it). */
  rpcUrl: string;
  /** The signing key (passed through the environment, never on the command line). */
  signerKey: `0x${string}`;
  /** The PostgreSQL schema holding journal, nonce lease and content index. */
  schema: string;
  /** The SPG collection; omitted, the server creates one (or finds it in the journal). */
  spgNftContract?: string;
  /** Confirmations after which a transaction is final. Default 1. */
  confirmations?: number;
  /** The ledger's poll interval, ms. Default 50. */
  pollMs?: number;
  /** Whether registered IPs get a royalty vault. Default false. */
  deployVaults?: boolean;
}

/** An event line the child printed (see server-child.ts). */
export interface ChildEvent {
  type: string;
  context?: string;
  key?: string;
  nonce?: string;
  error?: string;
}

/** A running server process. */
export interface ServerProcess {
  /** Its gRPC / Connect URL. */
  readonly baseUrl: string;
  /** The SPG collection its ledger mints in. */
  readonly collection: string;
  /** The signer's address. */
  readonly signer: string;
  /** Renonced submissions and background errors it reported so far. */
  events(): ChildEvent[];
  /** Everything it wrote to stderr that was not an event line (for failure messages). */
  log(): string;
  /** A client over HTTP/2 (gRPC) without retries, so every error the server sends is seen. */
  client(): ChainClient;
  /** SIGKILL: no shutdown of any kind; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

/** Creates the tables the servers share (idempotent). */
export async function prepareServerTables(pool: pg.Pool, schema: string): Promise<void> {
  await new PostgresNonceLease({ pool, table: `${schema}.signer_nonces` }).migrate();
  await new PostgresSubmissionJournal({ pool, table: `${schema}.tx_submissions` }).migrate();
  await postgresContentIndex({ pool, schema, table: 'content_index' }).migrate();
}

/** Starts a server process and waits (at most `readyTimeoutMs`) until it listens. */
export async function startServerProcess(
  options: ServerProcessOptions,
  readyTimeoutMs = 90_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      RPC_URL: options.rpcUrl,
      SIGNER_KEY: options.signerKey,
      SCHEMA: options.schema,
      DATABASE_URL,
      SPG_NFT_CONTRACT: options.spgNftContract ?? '',
      CONFIRMATIONS: String(options.confirmations ?? 1),
      POLL_MS: String(options.pollMs ?? 50),
      DEPLOY_VAULTS: options.deployVaults ? '1' : '0',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: ChildEvent[] = [];
  let log = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (line.startsWith('EVENT ')) events.push(JSON.parse(line.slice(6)) as ChildEvent);
      else if (line !== '') log = `${log}${line}\n`.slice(-20_000);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ port: number; collection: string; signer: string }>(
    (resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`server process ${why}; its stderr:\n${log}`));
      };
      const timer = setTimeout(() => fail(`not ready within ${readyTimeoutMs} ms`), readyTimeoutMs);
      const early = (code: number | null, signal: string | null) =>
        fail(`exited (${code ?? signal}) before listening`);
      child.once('exit', early);
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        stdout += chunk;
        const line = stdout.split('\n').find((l) => l.startsWith('READY '));
        if (line === undefined) return;
        clearTimeout(timer);
        child.off('exit', early);
        resolve(JSON.parse(line.slice(6)));
      });
    },
  );
  const baseUrl = `http://127.0.0.1:${ready.port}`;
  const clients: ChainClient[] = [];
  const terminate = async (signal: NodeJS.Signals, graceMs: number) => {
    for (const c of clients) c.close();
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await waitFor(child, exited, graceMs);
  };
  return {
    baseUrl,
    collection: ready.collection,
    signer: ready.signer,
    events: () => [...events],
    log: () => log,
    client() {
      const client = createChainClient({
        baseUrl,
        retry: false,
        breaker: false,
        timeoutMs: 60_000,
      });
      clients.push(client);
      return client;
    },
    kill: () => terminate('SIGKILL', 5_000),
    stop: () => terminate('SIGTERM', 5_000),
  };
}

/** Waits for `exited`; SIGKILLs the child if it takes longer than `ms`. */
async function waitFor(child: ChildProcess, exited: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    child.kill('SIGKILL');
    // The kernel ends a SIGKILLed process at once; the bound only guards against a wrong pid.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
  }
}
