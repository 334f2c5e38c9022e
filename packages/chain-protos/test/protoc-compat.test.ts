/**
 * Wire compatibility with a non-TypeScript implementation: Debian's `protoc` (the C++ protobuf
 * library) encodes the same text-format messages, and the bytes must be identical to ours in
 * both directions. `.ci/run` installs protobuf-compiler; the test itself installs nothing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  create,
  type DescMessage,
  equals,
  fromBinary,
  type MessageInitShape,
  toBinary,
} from '@bufbuild/protobuf';
import {
  ContributorRole,
  ContributorType,
  GetIpAssetRequestSchema,
  MintAndRegisterIpAssetRequestSchema,
  PayRoyaltiesRequestSchema,
  RegisterIpAssetRequestSchema,
  RegisterLicenseTermsRequestSchema,
  RoyaltyPolicy,
  TransactionStatus,
  TransactionUpdateSchema,
} from '@mystira/chain-protos';
import { describe, expect, it } from 'vitest';

const protos = fileURLToPath(new URL('../../../protos', import.meta.url));
const protocFound = spawnSync('protoc', ['--version']).status === 0;
const wkt = ['/usr/include', '/usr/local/include'].find(
  (dir) => spawnSync('test', ['-f', `${dir}/google/protobuf/timestamp.proto`]).status === 0,
);

function protoc(
  mode: 'encode' | 'decode',
  desc: DescMessage,
  file: string,
  input: Buffer | string,
) {
  const run = spawnSync(
    'protoc',
    [`--${mode}=${desc.typeName}`, `-I${protos}`, ...(wkt ? [`-I${wkt}`] : []), file],
    { input },
  );
  if (run.status !== 0) throw new Error(`protoc --${mode} failed: ${run.stderr.toString()}`);
  return run.stdout;
}

interface Case<Desc extends DescMessage> {
  desc: Desc;
  file: string;
  textFormat: string;
  ours: MessageInitShape<Desc>;
}
function wireCase<Desc extends DescMessage>(c: Case<Desc>) {
  return c as Case<DescMessage>;
}

const cases = [
  wireCase({
    desc: RegisterIpAssetRequestSchema,
    file: 'mystira/chain/v1/ip_assets.proto',
    textFormat: `
      content_id: "story-42"
      content_title: "Le phare — 灯台 🏮"
      contributors {
        wallet_address: "0x52908400098527886E0F7030069857D2E4169EE7"
        contributor_type: CONTRIBUTOR_TYPE_AUTHOR
        share_basis_points: 6000
        display_name: "Ada Lovelace"
      }
      contributors {
        wallet_address: "0x8617E340B3D01FA5F11F306F4090FD50E238070D"
        contributor_type: CONTRIBUTOR_TYPE_ARTIST
        share_basis_points: 4000
      }
      metadata_uri: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
      license_terms_id: ""
      idempotency_key: "0193a5f2-7c1e-7b3a-9f00-5c2d1e0a4b21"`,
    ours: {
      contentId: 'story-42',
      contentTitle: 'Le phare — 灯台 🏮',
      contributors: [
        {
          walletAddress: '0x52908400098527886E0F7030069857D2E4169EE7',
          contributorType: ContributorType.AUTHOR,
          shareBasisPoints: 6000,
          displayName: 'Ada Lovelace',
        },
        {
          walletAddress: '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
          contributorType: ContributorType.ARTIST,
          shareBasisPoints: 4000,
        },
      ],
      metadataUri: 'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
      // An explicitly set empty optional string is on the wire (field presence): both must keep it.
      licenseTermsId: '',
      idempotencyKey: '0193a5f2-7c1e-7b3a-9f00-5c2d1e0a4b21',
    },
  }),
  wireCase({
    desc: TransactionUpdateSchema,
    file: 'mystira/chain/v1/ip_assets.proto',
    textFormat: `
      transaction_hash: "0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b"
      status: TRANSACTION_STATUS_CONFIRMED
      confirmations: 18446744073709551615
      error_message: ""
      timestamp { seconds: 1764115200 nanos: 123456789 }
      block_hash: "0x4e3a3754410177e6937ef1f84bba68ea139e8d1a2258c5f85db9f1cd715a1bdd"
      block_number: 9007199254740993`,
    ours: {
      transactionHash: '0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b',
      status: TransactionStatus.CONFIRMED,
      // uint64 beyond 2^53: only exact with bigint.
      confirmations: 18446744073709551615n,
      errorMessage: '',
      timestamp: { seconds: 1764115200n, nanos: 123456789 },
      blockHash: '0x4e3a3754410177e6937ef1f84bba68ea139e8d1a2258c5f85db9f1cd715a1bdd',
      blockNumber: 9007199254740993n,
    },
  }),
  wireCase({
    desc: PayRoyaltiesRequestSchema,
    file: 'mystira/chain/v1/royalties.proto',
    textFormat: `
      ip_asset_id: "0x1234567890abcdef1234567890abcdef12345678"
      amount_wei: "115792089237316195423570985008687907853269984665640564039457584007913129639935"
      currency_token: "0x0000000000000000000000000000000000000000"
      payer_reference: "invoice 2026-0042"
      idempotency_key: "pay-7"`,
    ours: {
      ipAssetId: '0x1234567890abcdef1234567890abcdef12345678',
      amountWei: (2n ** 256n - 1n).toString(),
      currencyToken: '0x0000000000000000000000000000000000000000',
      payerReference: 'invoice 2026-0042',
      idempotencyKey: 'pay-7',
    },
  }),
  wireCase({
    desc: RegisterLicenseTermsRequestSchema,
    file: 'mystira/chain/ip/v1/licensing_service.proto',
    textFormat: `
      commercial_remix {
        minting_fee_wei: "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        currency_token: "0x1514000000000000000000000000000000000000"
        commercial_rev_share_micro_percent: 100000000
        royalty_policy: ROYALTY_POLICY_LAP
      }
      idempotency_key: "terms-1"`,
    ours: {
      terms: {
        case: 'commercialRemix',
        value: {
          mintingFeeWei: (2n ** 256n - 1n).toString(),
          currencyToken: '0x1514000000000000000000000000000000000000',
          commercialRevShareMicroPercent: 100_000_000,
          royaltyPolicy: RoyaltyPolicy.LAP,
        },
      },
      idempotencyKey: 'terms-1',
    },
  }),
  wireCase({
    desc: RegisterLicenseTermsRequestSchema,
    file: 'mystira/chain/ip/v1/licensing_service.proto',
    // A oneof case holding an empty message is on the wire (a zero-length field): both keep it.
    textFormat: `
      non_commercial_social_remixing {}
      idempotency_key: "terms-2"`,
    ours: {
      terms: { case: 'nonCommercialSocialRemixing', value: {} },
      idempotencyKey: 'terms-2',
    },
  }),
  wireCase({
    desc: MintAndRegisterIpAssetRequestSchema,
    file: 'mystira/chain/ip/v1/ip_asset_service.proto',
    textFormat: `
      content_id: "scenario-7"
      collection_address: "0xc32A8a0FF3beDDDa58393d022aF433e78739FAbc"
      ip_metadata { json: "{\\"title\\":\\"Le phare — 灯台 🏮\\"}" }
      nft_metadata {
        reference {
          uri: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
          hash: "0x4e3a3754410177e6937ef1f84bba68ea139e8d1a2258c5f85db9f1cd715a1bdd"
        }
      }
      royalty_shares {
        wallet_address: "0x52908400098527886E0F7030069857D2E4169EE7"
        role: CONTRIBUTOR_ROLE_AUTHOR
        share_basis_points: 10000
        display_name: "Ada Lovelace"
      }
      parents {
        ip_asset_id: "0x1234567890abcdef1234567890abcdef12345678"
        license_terms_id: "2"
      }
      max_minting_fee_wei: "0"
      max_revenue_share_micro_percent: 0
      idempotency_key: "register-scenario-7"`,
    ours: {
      contentId: 'scenario-7',
      collectionAddress: '0xc32A8a0FF3beDDDa58393d022aF433e78739FAbc',
      ipMetadata: { source: { case: 'json', value: '{"title":"Le phare — 灯台 🏮"}' } },
      nftMetadata: {
        source: {
          case: 'reference',
          value: {
            uri: 'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
            hash: '0x4e3a3754410177e6937ef1f84bba68ea139e8d1a2258c5f85db9f1cd715a1bdd',
          },
        },
      },
      royaltyShares: [
        {
          walletAddress: '0x52908400098527886E0F7030069857D2E4169EE7',
          role: ContributorRole.AUTHOR,
          shareBasisPoints: 10000,
          displayName: 'Ada Lovelace',
        },
      ],
      parents: [{ ipAssetId: '0x1234567890abcdef1234567890abcdef12345678', licenseTermsId: '2' }],
      // Explicitly set optional zeros are on the wire ("accept only free terms", "no share"):
      // both must keep them apart from unset ("no limit").
      maxMintingFeeWei: '0',
      maxRevenueShareMicroPercent: 0,
      idempotencyKey: 'register-scenario-7',
    },
  }),
  wireCase({
    desc: GetIpAssetRequestSchema,
    file: 'mystira/chain/ip/v1/ip_asset_service.proto',
    // An empty string in a oneof is still the set case.
    textFormat: `content_id: ""`,
    ours: { asset: { case: 'contentId', value: '' } },
  }),
];

describe.skipIf(!protocFound && !process.env.CI)('wire compatibility with protoc (C++)', () => {
  it.each(cases.map((c) => [c.desc.typeName, c] as const))(
    '%s: our bytes equal protoc --encode, and we decode its bytes',
    (_name, c) => {
      const ours = create(c.desc, c.ours);
      const theirs = protoc('encode', c.desc, c.file, c.textFormat);
      const ourBytes = toBinary(c.desc, ours);
      expect(Buffer.from(ourBytes).toString('hex')).toBe(theirs.toString('hex'));
      expect(equals(c.desc, fromBinary(c.desc, theirs), ours)).toBe(true);
    },
  );

  it.each(cases.map((c) => [c.desc.typeName, c] as const))(
    '%s: protoc --decode reads our bytes back to the same text',
    (_name, c) => {
      const ourBytes = Buffer.from(toBinary(c.desc, create(c.desc, c.ours)));
      const decoded = protoc('decode', c.desc, c.file, ourBytes).toString();
      const reencoded = protoc('encode', c.desc, c.file, decoded);
      expect(reencoded.equals(ourBytes)).toBe(true);
    },
  );
});
