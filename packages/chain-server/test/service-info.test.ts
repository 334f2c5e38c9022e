/**
 * GetServiceInfo's supported_operations: ChainService's 12 RPCs by their bare names, as always,
 * and the mystira.chain.ip.v1 RPCs qualified by their service only when the ledger has `ip`
 * (through the telemetry wrapper too, which must keep the port).
 */
import { ChainService } from '@mystira/chain-protos';
import { createChainHandlers, DevnetLedger } from '@mystira/chain-server';
import { otelTelemetry } from '@mystira/chain-server/otel';
import { afterEach, describe, expect, it } from 'vitest';
import { clientFor } from './helpers.js';
import { FakeIpLedger } from './support/fake-ip-ledger.js';
import { type IpRunning, startIpServer, withIp } from './support/ip-server.js';

const CHAIN_OPERATIONS = [
  'RegisterIpAsset',
  'IsRegistered',
  'GetIpAssetStatus',
  'BatchRegisterIpAssets',
  'GetRoyaltyConfiguration',
  'UpdateRoyaltySplit',
  'PayRoyalties',
  'GetClaimableRoyalties',
  'ClaimRoyalties',
  'WatchTransactions',
  'HealthCheck',
  'GetServiceInfo',
];

const IP_OPERATIONS = [
  'mystira.chain.ip.v1.CollectionService/CreateCollection',
  'mystira.chain.ip.v1.CollectionService/GetCollection',
  'mystira.chain.ip.v1.LicensingService/RegisterLicenseTerms',
  'mystira.chain.ip.v1.LicensingService/GetLicenseTerms',
  'mystira.chain.ip.v1.LicensingService/AttachLicenseTerms',
  'mystira.chain.ip.v1.LicensingService/MintLicenseTokens',
  'mystira.chain.ip.v1.IpAssetService/MintAndRegisterIpAsset',
  'mystira.chain.ip.v1.IpAssetService/GetIpAsset',
];

const call = { signal: new AbortController().signal };

describe('createChainHandlers().getServiceInfo', () => {
  it('lists the 12 ChainService RPCs by bare name for a ledger without ip', async () => {
    const ledger = withIp(new DevnetLedger(), undefined);
    const info = await createChainHandlers({ ledger }).getServiceInfo({}, call);
    expect(info.supportedOperations).toEqual(CHAIN_OPERATIONS);
    expect(ChainService.methods.map((m) => m.name)).toEqual(CHAIN_OPERATIONS);
  });

  it('adds the ip.v1 RPCs, qualified by service, for a ledger with ip', async () => {
    const ledger = withIp(new DevnetLedger(), new FakeIpLedger());
    const handlers = createChainHandlers({ ledger });
    const info = await handlers.getServiceInfo({}, call);
    expect(info.supportedOperations).toEqual([...CHAIN_OPERATIONS, ...IP_OPERATIONS]);
    // Each response has its own list: changing one leaves the next alone.
    info.supportedOperations.length = 0;
    expect((await handlers.getServiceInfo({}, call)).supportedOperations).toHaveLength(20);
  });

  it('lists them for the devnet, whose ip port is its own', async () => {
    const info = await createChainHandlers({ ledger: new DevnetLedger() }).getServiceInfo({}, call);
    expect(info.supportedOperations).toEqual([...CHAIN_OPERATIONS, ...IP_OPERATIONS]);
  });
});

describe('GetServiceInfo over the wire', () => {
  let r: IpRunning | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('lists the ip.v1 RPCs when the server serves them', async () => {
    r = await startIpServer();
    const info = await clientFor('grpc', r.baseUrl).getServiceInfo({});
    expect(info.supportedOperations).toEqual([...CHAIN_OPERATIONS, ...IP_OPERATIONS]);
  });

  it('lists only ChainService when the ledger has no ip', async () => {
    r = await startIpServer({ ip: null });
    const info = await clientFor('connect-json', r.baseUrl).getServiceInfo({});
    expect(info.supportedOperations).toEqual(CHAIN_OPERATIONS);
  });

  it('lists them through the OpenTelemetry ledger wrapper as well', async () => {
    r = await startIpServer({ telemetry: otelTelemetry() });
    const info = await clientFor('grpc-web', r.baseUrl).getServiceInfo({});
    expect(info.supportedOperations).toEqual([...CHAIN_OPERATIONS, ...IP_OPERATIONS]);
  });
});
