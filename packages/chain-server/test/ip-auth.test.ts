/**
 * Scopes on the mystira.chain.ip.v1 services, by the same mechanism as ChainService: reads need
 * chain:read, writes chain:write; no or unknown credentials are UNAUTHENTICATED, credentials
 * without the scope PERMISSION_DENIED (before the request is even validated).
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { CollectionService, IpAssetService, LicensingService } from '@mystira/chain-protos';
import { defaultProcedureScopes, hashApiKey } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_KEYS, unique, WALLET_C } from './helpers.js';
import { FAKE_DEFAULT_COLLECTION } from './support/fake-ip-ledger.js';
import {
  commercialRemix,
  type IpRunning,
  ipClients,
  mintAndRegister,
  startIpServer,
} from './support/ip-server.js';

const READS = ['GetCollection', 'GetLicenseTerms', 'GetIpAsset'];

it('gives every method of the three services a default scope: chain:write for writes', () => {
  for (const service of [CollectionService, LicensingService, IpAssetService]) {
    for (const m of service.methods) {
      expect(defaultProcedureScopes[`/${service.typeName}/${m.name}`]).toBe(
        READS.includes(m.name) ? 'chain:read' : 'chain:write',
      );
    }
  }
});

let r: IpRunning;
let asset: string;
let terms: string;
const writer = { 'x-api-key': 'write-key' };
beforeAll(async () => {
  r = await startIpServer({
    auth: {
      apiKeys: [
        ...READ_WRITE_KEYS,
        { id: 'nobody', sha256: hashApiKey('no-scope-key'), scopes: [] },
      ],
    },
  });
  const { assets, licensing } = ipClients('grpc', r.baseUrl, writer);
  asset = (await assets.mintAndRegisterIpAsset(mintAndRegister())).ipAssetId as string;
  terms = (await licensing.registerLicenseTerms(commercialRemix())).licenseTermsId as string;
  await licensing.attachLicenseTerms({
    ipAssetId: asset,
    licenseTermsId: terms,
    idempotencyKey: unique('attach'),
  });
});
afterAll(() => r.close());

/** Each RPC once, with a request that succeeds when the caller may make it. */
function calls(headers?: Record<string, string>) {
  const { collections, licensing, assets } = ipClients('grpc', r.baseUrl, headers);
  return {
    read: [
      () => collections.getCollection({ collectionAddress: FAKE_DEFAULT_COLLECTION }),
      () => licensing.getLicenseTerms({ licenseTermsId: terms }),
      () => assets.getIpAsset({ asset: { case: 'ipAssetId', value: asset } }),
    ],
    write: [
      () =>
        collections.createCollection({
          name: 'N',
          symbol: 'S',
          contractUri: '',
          idempotencyKey: unique('c'),
        }),
      () => licensing.registerLicenseTerms(commercialRemix()),
      () =>
        licensing.attachLicenseTerms({
          ipAssetId: asset,
          licenseTermsId: terms,
          idempotencyKey: unique('a'),
        }),
      () =>
        licensing.mintLicenseTokens({
          licensorIpAssetId: asset,
          licenseTermsId: terms,
          amount: 1,
          receiverAddress: WALLET_C,
          idempotencyKey: unique('m'),
        }),
      () => assets.mintAndRegisterIpAsset(mintAndRegister()),
    ],
  };
}

const outcome = (call: () => Promise<unknown>) =>
  call().then(
    () => 'ok' as const,
    (e: unknown) => ConnectError.from(e).code,
  );

describe.each([
  ['no credentials', undefined, Code.Unauthenticated, Code.Unauthenticated],
  ['an unknown key', { 'x-api-key': 'nope' }, Code.Unauthenticated, Code.Unauthenticated],
  [
    'a key without scopes',
    { 'x-api-key': 'no-scope-key' },
    Code.PermissionDenied,
    Code.PermissionDenied,
  ],
  ['a chain:read key', { 'x-api-key': 'read-key' }, 'ok', Code.PermissionDenied],
  ['a chain:write key', writer, 'ok', 'ok'],
] as const)('%s', (_, headers, readOutcome, writeOutcome) => {
  it('reads and writes as its scopes allow', async () => {
    const { read, write } = calls(headers);
    for (const call of read) expect(await outcome(call)).toBe(readOutcome);
    for (const call of write) expect(await outcome(call)).toBe(writeOutcome);
  });
});

it('refuses a write without the scope before validating it', async () => {
  const { licensing } = ipClients('connect-json', r.baseUrl, { 'x-api-key': 'read-key' });
  const error = await licensing.registerLicenseTerms({ idempotencyKey: '' }).catch((e) => e);
  expect(ConnectError.from(error).code).toBe(Code.PermissionDenied);
});
