/**
 * Idempotency keys on every write of the mystira.chain.ip.v1 services, with ChainService's store
 * and rules: the same key with the same request answers the first outcome and the ledger acts
 * once (also for concurrent duplicates and for an outcome FAILED); the same key with a different
 * request is ALREADY_EXISTS and nothing runs; an error releases the key; keys are scoped per
 * method and per caller.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { OperationStatus } from '@mystira/chain-protos';
import { hashApiKey } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unique, WALLET_C } from './helpers.js';
import {
  commercialRemix,
  type IpClients,
  type IpRunning,
  ipClients,
  mintAndRegister,
  startIpServer,
} from './support/ip-server.js';

let r: IpRunning;
let asset: string;
let terms: string;
beforeAll(async () => {
  r = await startIpServer();
  const { assets, licensing } = ipClients('grpc', r.baseUrl);
  asset = (await assets.mintAndRegisterIpAsset(mintAndRegister())).ipAssetId as string;
  terms = (await licensing.registerLicenseTerms(commercialRemix())).licenseTermsId as string;
});
afterAll(() => r.close());

/** Each write: its port method, and a request made with a key and a variant number. */
const writes: [
  string,
  (c: IpClients, key: string, variant: number) => Promise<{ status: OperationStatus }>,
][] = [
  [
    'createCollection',
    (c, key, variant) =>
      c.collections.createCollection({
        name: `Collection ${variant}`,
        symbol: 'C',
        contractUri: '',
        idempotencyKey: key,
      }),
  ],
  [
    'registerLicenseTerms',
    (c, key, variant) =>
      c.licensing.registerLicenseTerms({
        terms: {
          case: 'commercialUse',
          value: {
            mintingFeeWei: `${variant}${key.length}${key.charCodeAt(key.length - 1)}`,
            currencyToken: WALLET_C,
          },
        },
        idempotencyKey: key,
      }),
  ],
  [
    'attachLicenseTerms',
    (c, key, variant) =>
      c.licensing.attachLicenseTerms({
        ipAssetId: asset,
        licenseTermsId: variant === 1 ? terms : '999',
        idempotencyKey: key,
      }),
  ],
  [
    'mintLicenseTokens',
    (c, key, variant) =>
      c.licensing.mintLicenseTokens({
        licensorIpAssetId: asset,
        licenseTermsId: terms,
        amount: variant,
        receiverAddress: WALLET_C,
        idempotencyKey: key,
      }),
  ],
  [
    'mintAndRegisterIpAsset',
    (c, key, variant) => c.assets.mintAndRegisterIpAsset(mintAndRegister(`${key}-${variant}`, key)),
  ],
];

const calls = (method: string) => r.fake?.calls[method] ?? 0;

describe.each(['grpc', 'connect-json'] as const)('%s', (protocol) => {
  beforeAll(async () => {
    // Minting needs the terms attached; attaching twice is harmless (CONFIRMED).
    await ipClients(protocol, r.baseUrl).licensing.attachLicenseTerms({
      ipAssetId: asset,
      licenseTermsId: terms,
      idempotencyKey: unique('attach'),
    });
  });

  it.each(writes)('%s: the same key and request answer once', async (method, send) => {
    const c = ipClients(protocol, r.baseUrl);
    const key = unique(method);
    const before = calls(method);
    const first = await send(c, key, 1);
    const again = await send(c, key, 1);
    expect(again).toEqual(first);
    // Concurrent duplicates too: they wait for the first and replay it.
    const key2 = unique(method);
    const concurrent = await Promise.all([send(c, key2, 1), send(c, key2, 1), send(c, key2, 1)]);
    expect(concurrent[1]).toEqual(concurrent[0]);
    expect(concurrent[2]).toEqual(concurrent[0]);
    expect(calls(method)).toBe(before + 2);
  });

  it.each(writes)(
    '%s: the same key with another request is ALREADY_EXISTS',
    async (method, send) => {
      const c = ipClients(protocol, r.baseUrl);
      const key = unique(method);
      await send(c, key, 1);
      const before = calls(method);
      const error = ConnectError.from(await send(c, key, 2).catch((e: unknown) => e));
      expect(error.code).toBe(Code.AlreadyExists);
      expect(error.rawMessage).toContain(key);
      expect(calls(method)).toBe(before);
    },
  );

  it('keeps an outcome FAILED under its key, and releases a key after an error', async () => {
    const { assets } = ipClients(protocol, r.baseUrl);
    const failed = mintAndRegister(unique('fail'));
    const first = await assets.mintAndRegisterIpAsset(failed);
    expect(first.status).toBe(OperationStatus.FAILED);
    const before = calls('mintAndRegisterIpAsset');
    expect(await assets.mintAndRegisterIpAsset(failed)).toEqual(first);
    expect(calls('mintAndRegisterIpAsset')).toBe(before);

    // UNAVAILABLE: nothing happened, so a retry with the same key runs again.
    const down = mintAndRegister(unique('down'));
    for (let i = 1; i <= 2; i++) {
      const error = await assets.mintAndRegisterIpAsset(down).catch((e: unknown) => e);
      expect(ConnectError.from(error).code).toBe(Code.Unavailable);
      expect(calls('mintAndRegisterIpAsset')).toBe(before + i);
    }
  });

  it('scopes keys per method', async () => {
    const c = ipClients(protocol, r.baseUrl);
    const key = unique('shared');
    const collection = await c.collections.createCollection({
      name: 'N',
      symbol: 'S',
      contractUri: '',
      idempotencyKey: key,
    });
    const registered = await c.assets.mintAndRegisterIpAsset(mintAndRegister(unique('c'), key));
    expect(collection.status).toBe(OperationStatus.PROCESSING);
    expect(registered.status).toBe(OperationStatus.PROCESSING);
  });
});

it('scopes keys per caller', async () => {
  const authed = await startIpServer({
    auth: {
      apiKeys: [
        { id: 'one', sha256: hashApiKey('key-one'), scopes: ['chain:write'] },
        { id: 'two', sha256: hashApiKey('key-two'), scopes: ['chain:write'] },
      ],
    },
  });
  try {
    const key = unique('caller');
    const one = ipClients('grpc', authed.baseUrl, { 'x-api-key': 'key-one' });
    const two = ipClients('grpc', authed.baseUrl, { 'x-api-key': 'key-two' });
    const a = await one.assets.mintAndRegisterIpAsset(mintAndRegister(unique('one'), key));
    const b = await two.assets.mintAndRegisterIpAsset(mintAndRegister(unique('two'), key));
    expect(b.ipAssetId).not.toBe(a.ipAssetId);
    expect(authed.fake?.calls.mintAndRegisterIpAsset).toBe(2);
  } finally {
    await authed.close();
  }
});
