/**
 * The conventions of the mystira.chain.ip.v1 package, read from its descriptors, so that an RPC
 * added later keeps them: the services and their shapes, no import of mystira.chain.v1 (the
 * package must load next to any other definition of it), an idempotency key on every write,
 * the status/transaction-hash/error triple on every write's answer, and type names that stay
 * unique across both packages (the index exports them flat).
 */
import { type DescEnum, type DescMessage, type DescService, ScalarType } from '@bufbuild/protobuf';
import {
  CHAIN_IP_PROTO_PACKAGE,
  ChainService,
  CollectionService,
  chainFiles,
  chainIpFiles,
  createChainRegistry,
  GetIpAssetRequestSchema,
  IpAssetService,
  LicensingService,
  MintAndRegisterIpAssetRequestSchema,
  OperationStatus,
  RegisterLicenseTermsRequestSchema,
} from '@mystira/chain-protos';
import { describe, expect, it } from 'vitest';
import { fullMessages } from './populate.js';

const services: DescService[] = [CollectionService, IpAssetService, LicensingService];
const methods = services.flatMap((s) => s.methods.map((m) => [`${s.name}.${m.name}`, m] as const));
const isRead = (name: string) => /^Get[A-Z]/.test(name);
const writes = methods.filter(([, m]) => !isRead(m.name));

describe('mystira.chain.ip.v1', () => {
  it('has three unary services next to ChainService', () => {
    const shapes = Object.fromEntries(methods.map(([name, m]) => [name, m.methodKind]));
    expect(shapes).toEqual({
      'CollectionService.CreateCollection': 'unary',
      'CollectionService.GetCollection': 'unary',
      'IpAssetService.MintAndRegisterIpAsset': 'unary',
      'IpAssetService.GetIpAsset': 'unary',
      'LicensingService.RegisterLicenseTerms': 'unary',
      'LicensingService.GetLicenseTerms': 'unary',
      'LicensingService.AttachLicenseTerms': 'unary',
      'LicensingService.MintLicenseTokens': 'unary',
    });
    for (const s of services) {
      expect(s.typeName).toBe(`${CHAIN_IP_PROTO_PACKAGE}.${s.name}`);
      expect(createChainRegistry().getService(s.typeName)).toBe(s);
    }
    // ChainService itself is untouched.
    expect(ChainService.methods).toHaveLength(12);
  });

  it('imports nothing of mystira.chain.v1, only its own files and well-known types', () => {
    const own = new Set(chainIpFiles.map((f) => f.proto.name));
    for (const file of chainIpFiles) {
      expect(file.proto.package).toBe(CHAIN_IP_PROTO_PACKAGE);
      for (const dep of file.dependencies) {
        expect(own.has(dep.proto.name) || dep.proto.name.startsWith('google/protobuf/')).toBe(true);
      }
    }
  });

  it.each(writes.map(([name, m]) => [name, m.input] as const))(
    '%s (a write) takes an idempotency_key as its last field',
    (_name, input) => {
      const key = input.fields.find((f) => f.name === 'idempotency_key');
      expect(key?.fieldKind).toBe('scalar');
      expect(key?.fieldKind === 'scalar' && key.scalar).toBe(ScalarType.STRING);
      expect(input.fields.at(-1)?.name).toBe('idempotency_key');
    },
  );

  it.each(writes.map(([name, m]) => [name, m.output] as const))(
    '%s (a write) answers with an OperationStatus, the transaction hash and the error',
    (_name, output) => {
      const status = output.fields.find((f) => f.name === 'status');
      expect(status?.fieldKind === 'enum' && status.enum.typeName).toBe(
        `${CHAIN_IP_PROTO_PACKAGE}.OperationStatus`,
      );
      for (const name of ['transaction_hash', 'error_message']) {
        const field = output.fields.find((f) => f.name === name);
        expect(field?.fieldKind === 'scalar' && field.scalar).toBe(ScalarType.STRING);
        // Present only when there is one: proto3 `optional`, as in ChainService's answers.
        expect(field?.proto.proto3Optional).toBe(true);
      }
    },
  );

  it.each(methods.filter(([, m]) => isRead(m.name)).map(([name, m]) => [name, m.input] as const))(
    '%s (a read) takes no idempotency key',
    (_name, input) => {
      expect(input.fields.map((f) => f.name)).not.toContain('idempotency_key');
    },
  );

  it('has an UNSPECIFIED zero value in every enum', () => {
    const enums = chainIpFiles.flatMap((f) => f.enums);
    expect(enums.map((e) => e.name).sort()).toEqual([
      'ContributorRole',
      'OperationStatus',
      'RoyaltyPolicy',
    ]);
    for (const e of enums) expect(e.values[0]?.name).toMatch(/_UNSPECIFIED$/);
    expect(OperationStatus.UNSPECIFIED).toBe(0);
  });

  it('shares no type name with mystira.chain.v1 (both are exported flat)', () => {
    const names = (files: readonly (typeof chainFiles)[number][]) => {
      const out: string[] = [];
      const visit = (d: DescMessage | DescEnum | DescService, prefix: string) => {
        const name = `${prefix}${d.name}`;
        out.push(name);
        if (d.kind === 'message') {
          for (const m of d.nestedMessages) visit(m, `${name}_`);
          for (const e of d.nestedEnums) visit(e, `${name}_`);
        }
      };
      for (const f of files) {
        for (const d of [...f.messages, ...f.enums, ...f.services]) visit(d, '');
      }
      return out;
    };
    const chain = names(chainFiles);
    const ip = names(chainIpFiles);
    expect(new Set(ip).size).toBe(ip.length);
    expect(ip.filter((n) => chain.includes(n))).toEqual([]);
  });

  it('populates every oneof case in the round-trip tests', () => {
    const cases = (desc: DescMessage, oneof: string) =>
      fullMessages(desc).map(
        (m) => (m as unknown as Record<string, { case?: string }>)[oneof]?.case,
      );
    expect(cases(GetIpAssetRequestSchema, 'asset')).toEqual(['ipAssetId', 'contentId']);
    expect(cases(RegisterLicenseTermsRequestSchema, 'terms')).toEqual([
      'nonCommercialSocialRemixing',
      'commercialUse',
      'commercialRemix',
      'custom',
    ]);
    const metadata = fullMessages(MintAndRegisterIpAssetRequestSchema).map(
      (m) => (m as unknown as { ipMetadata: { source: { case?: string } } }).ipMetadata.source.case,
    );
    expect(new Set(metadata)).toEqual(new Set(['reference', 'json']));
  });
});
