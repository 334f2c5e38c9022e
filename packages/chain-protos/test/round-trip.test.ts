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
import { ChainService, chainFiles, createChainRegistry } from '@mystira/chain-protos';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullMessage, messageArbitrary } from './populate.js';

function allMessages(): DescMessage[] {
  const out: DescMessage[] = [];
  const visit = (m: DescMessage) => {
    out.push(m);
    m.nestedMessages.forEach(visit);
  };
  for (const file of chainFiles) file.messages.forEach(visit);
  return out;
}

const messages = allMessages();
const registry = createChainRegistry();

describe('every message of mystira.chain.v1', () => {
  it('is covered: the contract has 29 message types', () => {
    expect(messages.map((m) => m.typeName.replace('mystira.chain.v1.', '')).sort()).toEqual(
      [
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
      ].sort(),
    );
  });

  describe.each(messages.map((m) => [m.typeName, m] as const))('%s', (_name, desc) => {
    const full = fullMessage(desc);

    it('survives binary encoding fully populated', () => {
      const bytes = toBinary(desc, full);
      expect(equals(desc, fromBinary(desc, bytes), full)).toBe(true);
    });

    it('survives JSON encoding fully populated', () => {
      const json = toJson(desc, full, { registry });
      expect(equals(desc, fromJson(desc, json, { registry }), full)).toBe(true);
      const text = toJsonString(desc, full);
      expect(equals(desc, fromJsonString(desc, text), full)).toBe(true);
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
