import {
  type DescMessage,
  equals,
  fromBinary,
  fromJson,
  fromJsonString,
  toBinary,
  toJson,
  toJsonString,
} from '@bufbuild/protobuf';
import type { GenFile } from '@bufbuild/protobuf/codegenv2';
import { ChainService, chainFiles, chainIpFiles, createChainRegistry } from '@mystira/chain-protos';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullMessages, messageArbitrary } from './populate.js';

function allMessages(files: readonly GenFile[]): DescMessage[] {
  const out: DescMessage[] = [];
  const visit = (m: DescMessage) => {
    out.push(m);
    m.nestedMessages.forEach(visit);
  };
  for (const file of files) file.messages.forEach(visit);
  return out;
}

/** The message types each package declares, nested ones included: a new one needs its test. */
const CHAIN_V1_MESSAGES = [
  'BatchRegisterResponse',
  'BatchRegisterResult',
  'ClaimRoyaltiesRequest',
  'ClaimRoyaltiesResponse',
  'ClaimableBalance',
  'ClaimableRoyaltiesResponse',
  'Contributor',
  'ErrorDetails',
  'GetClaimableRoyaltiesRequest',
  'GetIpAssetStatusRequest',
  'GetRoyaltyConfigurationRequest',
  'HealthCheckResponse',
  'IpAssetStatusResponse',
  'IsRegisteredRequest',
  'IsRegisteredResponse',
  'PaginationRequest',
  'PaginationResponse',
  'PayRoyaltiesRequest',
  'PayRoyaltiesResponse',
  'RegisterIpAssetRequest',
  'RegisterIpAssetResponse',
  'RoyaltyConfigurationResponse',
  'RoyaltyRecipient',
  'ServiceInfoResponse',
  'TransactionUpdate',
  'UpdateRoyaltySplitRequest',
  'UpdateRoyaltySplitResponse',
  'WalletAddress',
  'WatchTransactionsRequest',
];
const CHAIN_IP_V1_MESSAGES = [
  'AttachLicenseTermsRequest',
  'AttachLicenseTermsResponse',
  'AttachedLicenseTerms',
  'Collection',
  'CommercialRemixPreset',
  'CommercialUsePreset',
  'CreateCollectionRequest',
  'CreateCollectionResponse',
  'DerivativeLink',
  'GetCollectionRequest',
  'GetCollectionResponse',
  'GetIpAssetRequest',
  'GetIpAssetResponse',
  'GetLicenseTermsRequest',
  'GetLicenseTermsResponse',
  'IpAsset',
  'LicenseTerms',
  'MetadataDocument',
  'MetadataInput',
  'MetadataReference',
  'MintAndRegisterIpAssetRequest',
  'MintAndRegisterIpAssetResponse',
  'MintLicenseTokensRequest',
  'MintLicenseTokensResponse',
  'NonCommercialSocialRemixingPreset',
  'RegisterLicenseTermsRequest',
  'RegisterLicenseTermsResponse',
  'RoyaltyShare',
];

const chainMessages = allMessages(chainFiles);
const ipMessages = allMessages(chainIpFiles);
const messages = [...chainMessages, ...ipMessages];
const registry = createChainRegistry();

describe('every message of mystira.chain.v1 and mystira.chain.ip.v1', () => {
  it.each([
    { pkg: 'mystira.chain.v1', found: chainMessages, names: CHAIN_V1_MESSAGES },
    { pkg: 'mystira.chain.ip.v1', found: ipMessages, names: CHAIN_IP_V1_MESSAGES },
  ])('is covered: $pkg has $names.length message types', ({ pkg, found, names }) => {
    expect(found.map((m) => m.typeName.replace(`${pkg}.`, '')).sort()).toEqual([...names].sort());
  });

  describe.each(messages.map((m) => [m.typeName, m] as const))('%s', (_name, desc) => {
    const variants = fullMessages(desc);

    it('survives binary encoding fully populated (every oneof case)', () => {
      for (const full of variants) {
        const bytes = toBinary(desc, full);
        expect(equals(desc, fromBinary(desc, bytes), full)).toBe(true);
      }
    });

    it('survives JSON encoding fully populated (every oneof case)', () => {
      for (const full of variants) {
        const json = toJson(desc, full, { registry });
        expect(equals(desc, fromJson(desc, json, { registry }), full)).toBe(true);
        const text = toJsonString(desc, full);
        expect(equals(desc, fromJsonString(desc, text), full)).toBe(true);
      }
    });

    it('survives both encodings with random contents (property)', () => {
      fc.assert(
        fc.property(messageArbitrary(desc), (message) => {
          expect(equals(desc, fromBinary(desc, toBinary(desc, message)), message)).toBe(true);
          expect(equals(desc, fromJson(desc, toJson(desc, message)), message)).toBe(true);
        }),
        { numRuns: 50 },
      );
    });
  });
});

describe('ChainService', () => {
  it('has the 12 RPCs of the contract with their streaming shapes', () => {
    const shapes = Object.fromEntries(ChainService.methods.map((m) => [m.name, m.methodKind]));
    expect(shapes).toEqual({
      RegisterIpAsset: 'unary',
      IsRegistered: 'unary',
      GetIpAssetStatus: 'unary',
      BatchRegisterIpAssets: 'client_streaming',
      GetRoyaltyConfiguration: 'unary',
      UpdateRoyaltySplit: 'unary',
      PayRoyalties: 'unary',
      GetClaimableRoyalties: 'unary',
      ClaimRoyalties: 'unary',
      WatchTransactions: 'server_streaming',
      HealthCheck: 'unary',
      GetServiceInfo: 'unary',
    });
    expect(ChainService.typeName).toBe('mystira.chain.v1.ChainService');
  });

  it('is found in the registry with every file it needs', () => {
    expect(registry.getService('mystira.chain.v1.ChainService')).toBeDefined();
    expect(registry.getMessage('google.protobuf.Timestamp')).toBeDefined();
  });
});
