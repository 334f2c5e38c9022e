/**
 * Interop of the mystira.chain.ip.v1 services (on the devnet's `ip`) with a foreign
 * implementation: Python grpcio with the repo's shared stubs (test-support/python-grpc.ts)
 * calls every method once and reads a validation error's google.rpc.BadRequest
 * (test/python_ip_client.py).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PYTHON, pythonGrpcStubs, runPythonScript } from '../../../test-support/python-grpc.js';
import { type IpRunning, startIpServer } from './support/ip-server.js';

let r: IpRunning;
let stubs: string;
beforeAll(async () => {
  r = await startIpServer({ ip: 'devnet' });
  stubs = await pythonGrpcStubs();
});
afterAll(async () => {
  await r.close();
});

it('calls every method of the three services from Python and reads a BadRequest', async () => {
  expect(existsSync(PYTHON)).toBe(true);
  const out = await runPythonScript(join(import.meta.dirname, 'python_ip_client.py'), stubs, [
    `127.0.0.1:${r.port}`,
    String(process.pid),
  ]);
  expect(out).toEqual({
    collection_status: 'OPERATION_STATUS_PROCESSING',
    collection_address: expect.stringMatching(/^0x[0-9a-f]{40}$/),
    collection_name: 'From Python',
    collection_has_max_supply: true,
    terms_status: 'OPERATION_STATUS_PROCESSING',
    terms_policy: 'ROYALTY_POLICY_LAP',
    terms_rev_share: 5_000_000,
    terms_derivatives_reciprocal: true,
    asset_status: 'OPERATION_STATUS_PROCESSING',
    asset_json_kept: true,
    // keccak256 of the document's UTF-8 bytes (computed with viem).
    asset_hash: '0x917c61e2ae86bc30800d81cf1393a3f3fb505ccd07d9e36df9cb3bfbd0731cc8',
    attach_status: 'OPERATION_STATUS_PROCESSING',
    license_tokens: 2,
    minting_fee_paid: '2',
    read_asset_id_matches: true,
    read_terms: true,
    read_shares: [6000, 4000],
    error_code: 'INVALID_ARGUMENT',
    violations: [
      ['ip_metadata.reference.hash', 'INVALID_HASH'],
      ['royalty_shares', 'SHARES_NOT_10000'],
      ['parents[0].license_terms_id', 'INVALID_ID'],
    ],
  });
});
