/**
 * Interop with a foreign implementation: Debian's /usr/bin/python3 with python3-grpcio and
 * python3-protobuf, with the repo's shared Python stubs (test-support/python-grpc.ts), runs
 * test/python_client.py against this server.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PYTHON, pythonGrpcStubs, runPythonScript } from '../../../test-support/python-grpc.js';
import { type Running, startServer } from './helpers.js';
import { expectLedgerIndependentAnswers, PYTHON_CLIENT } from './support/python-client.js';

let r: Running;
let stubs: string;
beforeAll(async () => {
  r = await startServer();
  stubs = await pythonGrpcStubs();
});
afterAll(async () => {
  await r.close();
});

it('calls unary, client-streaming and server-streaming RPCs, reads a validation error, health and reflection', async () => {
  expect(existsSync(PYTHON)).toBe(true);
  const out = await runPythonScript(PYTHON_CLIENT, stubs, [`127.0.0.1:${r.port}`, stubs], 30_000);
  expect(out).toMatchObject({
    register_status: 'IP_ASSET_STATUS_PENDING',
    network: 'devnet',
    watch_first: 'TRANSACTION_STATUS_PENDING',
  });
  expectLedgerIndependentAnswers(out);
});
