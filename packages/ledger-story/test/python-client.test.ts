/**
 * Interop with a foreign gRPC implementation on the Story ledger: the Python grpcio client suite
 * of `@mystira/chain-server` (its test/python_client.py, run by path) against a Chain server
 * whose ledger is a StoryLedger on the embedded chain, so every registration it makes is a real
 * transaction on an EVM node with the Story test contracts.
 */
import { existsSync } from 'node:fs';
import { type ChainServer, createChainServer } from '@mystira/chain-server';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { createPublicClient, custom, type Hex } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PYTHON, pythonGrpcStubs, runPythonScript } from '../../../test-support/python-grpc.js';
import {
  expectLedgerIndependentAnswers,
  PYTHON_CLIENT,
} from '../../chain-server/test/support/python-client.js';
import type { StoryLedger } from '../src/ledger/index.js';
import { startLedger, stopLedger } from './support/ledger.js';

let chain: EmbeddedChain;
let ledger: StoryLedger;
let server: ChainServer;
let port: number;
let stubs: string;

beforeAll(async () => {
  // Automine: each transaction is mined as it arrives, so a registration's call returns as soon
  // as its block exists; nothing else mines, which keeps the states the client reads fixed.
  ({ chain, ledger } = await startLedger({
    account: 3,
    requiredConfirmations: 3,
    deployVaults: true,
    pollIntervalMs: 50,
  }));
  server = createChainServer({ ledger });
  port = (await server.listen(0)).port;
  stubs = await pythonGrpcStubs();
});

afterAll(async () => {
  await server?.close({ deadlineMs: 2000 });
  await stopLedger(chain, ledger);
});

it('calls unary, client-streaming and server-streaming RPCs, reads a validation error, health and reflection', async () => {
  expect(existsSync(PYTHON)).toBe(true);
  expect(existsSync(PYTHON_CLIENT)).toBe(true);
  const out = await runPythonScript(PYTHON_CLIENT, stubs, [`127.0.0.1:${port}`, stubs]);
  expect(out).toMatchObject({
    // Where the devnet answers PENDING (its registration waits for the next block), the Story
    // ledger answers once the mint-and-register transaction is in a block, because only then is
    // the IP asset id known: PROCESSING, with the id, until the required confirmations.
    register_status: 'IP_ASSET_STATUS_PROCESSING',
    // The network the Story SDK signs for: the embedded chain has Aeneid's chain id 1315 (its
    // contracts are test contracts; rpc_endpoint says the node is on 127.0.0.1).
    network: 'aeneid',
    // The watch's first update is the current state: the transaction is already in a block, so
    // CONFIRMED (with fewer confirmations than required: not final yet), not the devnet's PENDING.
    watch_first: 'TRANSACTION_STATUS_CONFIRMED',
  });
  expectLedgerIndependentAnswers(out);

  // What the Python client registered is on the chain: its transaction succeeded, and the three
  // content ids (one unary, two streamed) map to three distinct IP assets.
  const reader = createPublicClient({ transport: custom(chain.provider) });
  const receipt = await reader.getTransactionReceipt({ hash: out.tx_hash as Hex });
  expect(receipt.status).toBe('success');
  const ipIds = await Promise.all(
    ['py-1', 'py-2', 'py-3'].map(async (id) => (await ledger.getAssetByContentId(id))?.ipAssetId),
  );
  expect(new Set(ipIds).size).toBe(3);
  for (const ipId of ipIds) expect(ipId).toMatch(/^0x[0-9a-f]{40}$/);
});
