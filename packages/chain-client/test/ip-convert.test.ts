/**
 * The conversions of `client.ip` as properties: one rule each for wei amounts and on-chain ids
 * (any uint256, as bigint or decimal string, reaches the wire as the canonical decimal and comes
 * back the same bigint; anything else is refused before sending, or refused from the server),
 * for timestamps (any Date the wire can carry comes back equal) and for whole license terms
 * (client → message → bytes → message → client is the identity).
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  ChainInvalidArgumentError,
  ChainProtocolError,
  collectionFromWire,
  idToWire,
  ipAssetFromWire,
  type LicenseTerms,
  licenseTermsFromWire,
  licenseTermsSpecToWire,
  licenseTermsToWire,
  mintAndRegistrationFromWire,
  uint32ToWire,
  uint64ToWire,
  weiFromWire,
  weiToWire,
} from '@mystira/chain-client';
import {
  CollectionSchema,
  IpAssetSchema,
  LicenseTermsSchema,
  MintAndRegisterIpAssetResponseSchema,
  OperationStatus,
  RoyaltyPolicy,
} from '@mystira/chain-protos';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const MAX_UINT256 = (1n << 256n) - 1n;
const uint256 = fc.bigInt({ min: 0n, max: MAX_UINT256 });
// Small values and values near the top both matter: bias towards the ends of the range.
const wei = fc.oneof(
  uint256,
  fc.bigInt({ min: 0n, max: 1000n }),
  fc.bigInt({ min: MAX_UINT256 - 1000n, max: MAX_UINT256 }),
);
const address = fc.stringMatching(/^0x[0-9a-f]{40}$/);
/** Strings that are not a canonical non-negative decimal integer. */
const notDecimal = fc.oneof(
  fc.constantFrom('', '-1', '01', '+1', '1.0', '1e3', ' 1', '1 ', '0x10', 'ten', '１'),
  fc.string().filter((s) => !/^(0|[1-9][0-9]*)$/.test(s)),
);

function violation(fn: () => unknown): { field: string; inputField: string } | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ChainInvalidArgumentError);
    return (err as ChainInvalidArgumentError).fieldViolations[0];
  }
  return undefined;
}

describe('wei amounts and ids', () => {
  it('any uint256, as bigint or as its decimal string, goes out canonical and comes back equal', () => {
    fc.assert(
      fc.property(wei, (n) => {
        expect(weiToWire(n, 'minting_fee_wei')).toBe(n.toString());
        expect(weiToWire(n.toString(), 'minting_fee_wei')).toBe(n.toString());
        expect(weiFromWire(weiToWire(n, 'x'), 'x')).toBe(n);
        if (n > 0n) expect(idToWire(n, 'license_terms_id')).toBe(n.toString());
      }),
    );
  });

  it('out of range, negative or malformed input is refused before sending, naming the field', () => {
    const outside = fc.oneof(
      fc.bigInt({ min: MAX_UINT256 + 1n, max: MAX_UINT256 * 4n }),
      fc.bigInt({ min: -MAX_UINT256, max: -1n }),
    );
    fc.assert(
      fc.property(fc.oneof(outside, notDecimal), (bad) => {
        expect(violation(() => weiToWire(bad, 'custom.minting_fee_wei'))).toMatchObject({
          field: 'custom.minting_fee_wei',
          inputField: 'custom.mintingFeeWei',
        });
        expect(violation(() => idToWire(bad, 'license_terms_id'))?.field).toBe('license_terms_id');
      }),
    );
    // Terms are numbered from 1.
    expect(violation(() => idToWire(0n, 'parents[2].license_terms_id'))).toMatchObject({
      inputField: 'parents[2].licenseTermsId',
    });
  });

  it('a malformed decimal from the server is a ChainProtocolError, never a wrong number', () => {
    fc.assert(
      fc.property(notDecimal, (bad) => {
        expect(() => weiFromWire(bad, 'mint_fee_wei')).toThrow(ChainProtocolError);
      }),
    );
  });

  it('uint32 and uint64 fields take whole numbers in range only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        expect(uint32ToWire(n, 'amount')).toBe(n);
      }),
    );
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY])
      expect(violation(() => uint32ToWire(bad, 'amount'))?.field).toBe('amount');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => {
        expect(uint64ToWire(n, 'custom.expiration_seconds')).toBe(n);
      }),
    );
    expect(uint64ToWire(86_400, 'e')).toBe(86_400n);
    for (const bad of [-1n, 1n << 64n, 0.5])
      expect(violation(() => uint64ToWire(bad, 'custom.expiration_seconds'))?.inputField).toBe(
        'custom.expirationSeconds',
      );
  });
});

describe('timestamps', () => {
  it('any Date the wire can carry comes back equal, to the millisecond', () => {
    const dates = fc.date({
      min: new Date('0001-01-01T00:00:00.000Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(dates, (d) => {
        const m = create(CollectionSchema, { mintFeeWei: '0', createdAt: timestampFromDate(d) });
        expect(collectionFromWire(m).createdAt).toEqual(d);
        const r = create(MintAndRegisterIpAssetResponseSchema, {
          registeredAt: timestampFromDate(d),
        });
        expect(mintAndRegistrationFromWire(r, 'k').registeredAt).toEqual(d);
      }),
    );
  });

  it('an unset timestamp is undefined, not the epoch', () => {
    expect('createdAt' in collectionFromWire(create(CollectionSchema, { mintFeeWei: '0' }))).toBe(
      false,
    );
  });
});

// Every field set (a policy the client can send), so the round trip must be exact.
const licenseTerms: fc.Arbitrary<LicenseTerms & { royaltyPolicy: 'none' | 'lap' | 'lrp' }> =
  fc.record({
    transferable: fc.boolean(),
    royaltyPolicy: fc.constantFrom('none', 'lap', 'lrp'),
    mintingFeeWei: wei,
    expirationSeconds: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    commercialUse: fc.boolean(),
    commercialAttribution: fc.boolean(),
    commercialRevShareMicroPercent: fc.integer({ min: 0, max: 100_000_000 }),
    derivativesAllowed: fc.boolean(),
    derivativesAttribution: fc.boolean(),
    derivativesApproval: fc.boolean(),
    derivativesReciprocal: fc.boolean(),
    currencyToken: address,
    termsUri: fc.webUrl(),
  });

describe('license terms', () => {
  it('client → message → bytes → message → client is the identity', () => {
    fc.assert(
      fc.property(licenseTerms, (t) => {
        const bytes = toBinary(
          LicenseTermsSchema,
          create(LicenseTermsSchema, licenseTermsToWire(t, 'custom.')),
        );
        expect(licenseTermsFromWire(fromBinary(LicenseTermsSchema, bytes))).toEqual(t);
      }),
    );
  });

  it('omitted custom fields are their zero values; an omitted policy is unspecified', () => {
    const wire = licenseTermsToWire({}, 'custom.');
    expect(licenseTermsFromWire(create(LicenseTermsSchema, wire))).toEqual({
      transferable: false,
      royaltyPolicy: 'unspecified',
      mintingFeeWei: 0n,
      expirationSeconds: 0n,
      commercialUse: false,
      commercialAttribution: false,
      commercialRevShareMicroPercent: 0,
      derivativesAllowed: false,
      derivativesAttribution: false,
      derivativesApproval: false,
      derivativesReciprocal: false,
      currencyToken: '',
      termsUri: '',
    });
  });

  it('presets become the request’s oneof; an unknown preset is refused', () => {
    expect(
      violation(() =>
        // biome-ignore lint/suspicious/noExplicitAny: a preset the types would refuse
        licenseTermsSpecToWire({ preset: 'commercialRemixing' } as any),
      ),
    ).toMatchObject({ field: 'terms' });
    expect(licenseTermsSpecToWire({ preset: 'nonCommercialSocialRemixing' })).toEqual({
      case: 'nonCommercialSocialRemixing',
      value: {},
    });
    expect(
      licenseTermsSpecToWire({
        preset: 'commercialRemix',
        currencyToken: '0x1514000000000000000000000000000000000000',
        commercialRevShareMicroPercent: 10_000_000,
        mintingFeeWei: '1000',
      }),
    ).toEqual({
      case: 'commercialRemix',
      value: {
        mintingFeeWei: '1000',
        currencyToken: '0x1514000000000000000000000000000000000000',
        commercialRevShareMicroPercent: 10_000_000,
        // Omitted: UNSPECIFIED on the wire, which the contract reads as LAP for commercial terms.
        royaltyPolicy: RoyaltyPolicy.UNSPECIFIED,
      },
    });
  });
});

describe('IP assets', () => {
  it('ids the chain has not given yet (pending) are undefined, not "" or a failed parse', () => {
    const pending = ipAssetFromWire(
      create(IpAssetSchema, { status: OperationStatus.PENDING, contentId: 'c', nftTokenId: '' }),
    );
    expect(pending).toMatchObject({ status: 'pending', contentId: 'c' });
    expect('ipAssetId' in pending || 'nftTokenId' in pending).toBe(false);
    fc.assert(
      fc.property(uint256, address, (id, ip) => {
        const a = ipAssetFromWire(
          create(IpAssetSchema, {
            ipAssetId: ip,
            nftTokenId: id.toString(),
            status: OperationStatus.CONFIRMED,
          }),
        );
        expect(a).toMatchObject({ ipAssetId: ip, nftTokenId: id, status: 'confirmed' });
      }),
    );
  });
});
