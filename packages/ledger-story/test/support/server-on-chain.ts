/**
 * What the fault tests run one Chain server process on: the embedded chain, a fresh schema with
 * the server's tables, and a signer of the test's own.
 */
import type { Address } from 'viem';
import { type EmbeddedChain, startEmbeddedChain } from '../../src/embedded.js';
import { fundedSigner } from './fault-helpers.js';
import { freshSchema } from './postgres.js';
import {
  prepareServerTables,
  type ServerProcess,
  type ServerProcessOptions,
  startServerProcess,
} from './server-process.js';

/** A server process on the embedded chain, and how to take both down. */
export interface ServerOnChain {
  chain: EmbeddedChain;
  server: ServerProcess;
  /** The server's signer (funded, used by nothing else). */
  signer: Address;
  /** Stops the server, closes the chain, drops the schema. */
  stop(): Promise<void>;
}

/**
 * Starts the chain and a fresh schema, asks `prepare` (given the chain) for the server's options
 * beyond node URL, signer and schema (it may first set the chain up, e.g. deploy a contract or
 * put a proxy in front), then starts the server with a new funded signer.
 */
export async function startServerOnChain(
  prepare: (
    chain: EmbeddedChain,
  ) => Partial<ServerProcessOptions> | Promise<Partial<ServerProcessOptions>> = () => ({}),
): Promise<ServerOnChain> {
  const chain = await startEmbeddedChain();
  const db = await freshSchema();
  let server: ServerProcess | undefined;
  const stop = async () => {
    await server?.stop();
    await chain.close();
    await db.drop();
  };
  try {
    await prepareServerTables(db.pool, db.schema);
    const options = await prepare(chain);
    const funded = await fundedSigner(chain);
    server = await startServerProcess({
      rpcUrl: chain.rpcUrl,
      signerKey: funded.key,
      schema: db.schema,
      ...options,
    });
    return { chain, server, signer: funded.address, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
