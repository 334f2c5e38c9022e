/**
 * Conversion between `client.ip`'s plain shapes (ip-types.ts) and the `mystira.chain.ip.v1`
 * messages. Inputs are checked only as far as encoding needs (a decimal uint256, an integer that
 * fits its uint32/uint64 field, a known string of a union): the contract's rules (addresses,
 * share sums, PIL rules) are the server's, which names every bad field. A local failure is a
 * `ChainInvalidArgumentError` whose violation carries the same proto path the server would send.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import {
  type AttachedLicenseTerms as AttachedLicenseTermsMessage,
  type AttachLicenseTermsResponse,
  type Collection as CollectionMessage,
  type CreateCollectionResponse,
  type DerivativeLink as DerivativeLinkMessage,
  type DerivativeLinkSchema,
  type IpAsset as IpAssetMessage,
  type LicenseTerms as LicenseTermsMessage,
  type LicenseTermsSchema,
  type MetadataDocument as MetadataDocumentMessage,
  type MetadataInputSchema,
  type MintAndRegisterIpAssetResponse,
  type MintLicenseTokensResponse,
  OperationStatus,
  type RegisterLicenseTermsRequestSchema,
  type RegisterLicenseTermsResponse,
  RoyaltyPolicy as RoyaltyPolicyEnum,
  type RoyaltyShare,
  type RoyaltyShareSchema,
} from '@mystira/chain-protos';
import type { Contributor } from './convert.js';
import { ChainProtocolError } from './errors.js';
import type {
  BigIntInput,
  Collection,
  CollectionCreation,
  CustomLicenseTerms,
  DerivativeLink,
  DerivativeLinkInput,
  IpAsset,
  IpAssetMintAndRegistration,
  LicenseTerms,
  LicenseTermsAttachment,
  LicenseTermsRegistration,
  LicenseTermsSpec,
  LicenseTokenMint,
  MetadataDocument,
  MetadataInput,
  OperationState,
  RegisteredLicenseTerms,
  RoyaltyPolicy,
} from './ip-types.js';
import { contributorOf, date, invalid, opt, roleToWire, weiFromWire, weiToWire } from './wire.js';

const STATES: OperationState[] = ['unspecified', 'pending', 'processing', 'confirmed', 'failed'];
const POLICIES: RoyaltyPolicy[] = ['unspecified', 'none', 'lap', 'lrp'];
// Keep the enum imports honest: the arrays above are indexed by these numbers.
void OperationStatus;
void RoyaltyPolicyEnum;

const MAX_UINT32 = 2 ** 32 - 1;
const MAX_UINT64 = (1n << 64n) - 1n;

/** A wire status as the facade's string; an unknown number is `unspecified`. */
export function operationStateFromWire(status: number): OperationState {
  return STATES[status] ?? 'unspecified';
}

/** Validates a uint32 field (a share, a count, a supply) before it reaches the encoder. */
export function uint32ToWire(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_UINT32)
    throw invalid(field, `must be an integer from 0 to ${MAX_UINT32}, got ${String(value)}`);
  return value;
}

/** Validates a uint64 field (a duration in seconds) before it reaches the encoder. */
export function uint64ToWire(value: bigint | number, field: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw invalid(field, `must be a whole number, got ${String(value)}`);
  const n = BigInt(value);
  if (n < 0n || n > MAX_UINT64) throw invalid(field, 'must be between 0 and 2^64 - 1');
  return n;
}

/**
 * Encodes an on-chain id (license terms, NFT, license token) for the wire: a positive decimal
 * uint256, as `BigIntInput` is validated for wei. Terms are numbered from 1, so 0 is refused here
 * rather than answered NOT_FOUND.
 */
export function idToWire(value: BigIntInput, field: string): string {
  const wire = weiToWire(value, field);
  if (wire === '0') throw invalid(field, 'must be a positive integer');
  return wire;
}

/** Decodes an id from the server (a decimal string); "" (not known yet) is undefined. */
export function optionalIdFromWire(value: string, field: string): bigint | undefined {
  return value === '' ? undefined : weiFromWire(value, field);
}

function policyToWire(policy: string | undefined, field: string): RoyaltyPolicyEnum {
  if (policy === undefined) return RoyaltyPolicyEnum.UNSPECIFIED;
  const n = POLICIES.indexOf(policy as RoyaltyPolicy);
  if (n <= 0) throw invalid(field, `must be "none", "lap" or "lrp", got "${policy}"`);
  return n;
}

/** Custom terms as the contract's message, each omitted field at its zero value. */
export function licenseTermsToWire(
  t: CustomLicenseTerms,
  prefix: string,
): MessageInitShape<typeof LicenseTermsSchema> {
  return {
    transferable: t.transferable ?? false,
    royaltyPolicy: policyToWire(t.royaltyPolicy, `${prefix}royalty_policy`),
    mintingFeeWei: weiToWire(t.mintingFeeWei ?? 0n, `${prefix}minting_fee_wei`),
    expirationSeconds: uint64ToWire(t.expirationSeconds ?? 0n, `${prefix}expiration_seconds`),
    commercialUse: t.commercialUse ?? false,
    commercialAttribution: t.commercialAttribution ?? false,
    commercialRevShareMicroPercent: uint32ToWire(
      t.commercialRevShareMicroPercent ?? 0,
      `${prefix}commercial_rev_share_micro_percent`,
    ),
    derivativesAllowed: t.derivativesAllowed ?? false,
    derivativesAttribution: t.derivativesAttribution ?? false,
    derivativesApproval: t.derivativesApproval ?? false,
    derivativesReciprocal: t.derivativesReciprocal ?? false,
    currencyToken: t.currencyToken ?? '',
    termsUri: t.termsUri ?? '',
  };
}

/** Terms from the contract's message. */
export function licenseTermsFromWire(m: LicenseTermsMessage): LicenseTerms {
  return {
    transferable: m.transferable,
    royaltyPolicy: POLICIES[m.royaltyPolicy] ?? 'unspecified',
    mintingFeeWei: weiFromWire(m.mintingFeeWei, 'minting_fee_wei'),
    expirationSeconds: m.expirationSeconds,
    commercialUse: m.commercialUse,
    commercialAttribution: m.commercialAttribution,
    commercialRevShareMicroPercent: m.commercialRevShareMicroPercent,
    derivativesAllowed: m.derivativesAllowed,
    derivativesAttribution: m.derivativesAttribution,
    derivativesApproval: m.derivativesApproval,
    derivativesReciprocal: m.derivativesReciprocal,
    currencyToken: m.currencyToken,
    termsUri: m.termsUri,
  };
}

type TermsOneof = MessageInitShape<typeof RegisterLicenseTermsRequestSchema>['terms'];

/** A preset or custom terms as the request's `terms` oneof. */
export function licenseTermsSpecToWire(spec: LicenseTermsSpec): TermsOneof {
  if ('custom' in spec && spec.custom !== undefined)
    return { case: 'custom', value: licenseTermsToWire(spec.custom, 'custom.') };
  const preset = (spec as { preset?: unknown }).preset;
  switch (preset) {
    case 'nonCommercialSocialRemixing':
      return { case: 'nonCommercialSocialRemixing', value: {} };
    case 'commercialUse': {
      const s = spec as Extract<LicenseTermsSpec, { preset: 'commercialUse' }>;
      return {
        case: 'commercialUse',
        value: {
          mintingFeeWei: weiToWire(s.mintingFeeWei ?? 0n, 'commercial_use.minting_fee_wei'),
          currencyToken: s.currencyToken,
          royaltyPolicy: policyToWire(s.royaltyPolicy, 'commercial_use.royalty_policy'),
        },
      };
    }
    case 'commercialRemix': {
      const s = spec as Extract<LicenseTermsSpec, { preset: 'commercialRemix' }>;
      return {
        case: 'commercialRemix',
        value: {
          mintingFeeWei: weiToWire(s.mintingFeeWei ?? 0n, 'commercial_remix.minting_fee_wei'),
          currencyToken: s.currencyToken,
          commercialRevShareMicroPercent: uint32ToWire(
            s.commercialRevShareMicroPercent,
            'commercial_remix.commercial_rev_share_micro_percent',
          ),
          royaltyPolicy: policyToWire(s.royaltyPolicy, 'commercial_remix.royalty_policy'),
        },
      };
    }
    default:
      throw invalid(
        'terms',
        `must be { preset: "nonCommercialSocialRemixing" | "commercialUse" | "commercialRemix", … } or { custom }, got preset ${JSON.stringify(preset)}`,
      );
  }
}

/** A royalty share as the contract's message; throws for an unknown role. */
export function royaltyShareToWire(
  c: Contributor,
  index: number,
): MessageInitShape<typeof RoyaltyShareSchema> {
  // ContributorRole has ContributorType's numbers: the ChainService facade's `Contributor` serves.
  const role = roleToWire(c.role, `royalty_shares[${index}].role`);
  return opt(
    {
      walletAddress: c.walletAddress,
      role,
      shareBasisPoints: uint32ToWire(
        c.shareBasisPoints,
        `royalty_shares[${index}].share_basis_points`,
      ),
    },
    { displayName: c.displayName },
  );
}

/** A royalty share from the contract's message, in the ChainService facade's `Contributor`. */
export function royaltyShareFromWire(m: RoyaltyShare): Contributor {
  return contributorOf(m, m.role);
}

/** A metadata document as the request's oneof: `{ json }` is sent as is, else a reference. */
export function metadataToWire(
  m: MetadataInput,
  field: string,
): MessageInitShape<typeof MetadataInputSchema> {
  if ('json' in m) {
    if (typeof m.json !== 'string')
      throw invalid(
        `${field}.json`,
        'must be JSON text (JSON.stringify(doc)): its bytes are hashed',
      );
    return { source: { case: 'json', value: m.json } };
  }
  return { source: { case: 'reference', value: { uri: m.uri, hash: m.hash } } };
}

/** A registered metadata document. */
export function metadataDocumentFromWire(
  m: MetadataDocumentMessage | undefined,
): MetadataDocument | undefined {
  return m && opt({ uri: m.uri, hash: m.hash }, { json: m.json });
}

/** A parent link as the contract's message. */
export function derivativeLinkToWire(
  l: DerivativeLinkInput,
  index: number,
): MessageInitShape<typeof DerivativeLinkSchema> {
  return {
    ipAssetId: l.ipAssetId,
    licenseTermsId: idToWire(l.licenseTermsId, `parents[${index}].license_terms_id`),
  };
}

/** A parent or child link from the contract's message. */
export function derivativeLinkFromWire(m: DerivativeLinkMessage): DerivativeLink {
  return {
    ipAssetId: m.ipAssetId,
    licenseTermsId: weiFromWire(m.licenseTermsId, 'license_terms_id'),
  };
}

/** A message field the contract always sets; its absence is the server breaking the contract. */
export function requiredMessage<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new ChainProtocolError({ code: Code.Internal, message: `server sent ${what} unset` });
  return value;
}

function registeredTermsFromWire(m: AttachedLicenseTermsMessage): RegisteredLicenseTerms {
  return {
    licenseTermsId: weiFromWire(m.licenseTermsId, 'license_terms_id'),
    terms: licenseTermsFromWire(requiredMessage(m.terms, 'AttachedLicenseTerms.terms')),
  };
}

/** The facade's result of a CreateCollection response, with the key the write was sent with. */
export function collectionCreationFromWire(
  m: CreateCollectionResponse,
  idempotencyKey: string,
): CollectionCreation {
  return opt(
    { status: operationStateFromWire(m.status), idempotencyKey },
    {
      transactionHash: m.transactionHash,
      collectionAddress: m.collectionAddress,
      createdAt: date(m.createdAt),
      errorMessage: m.errorMessage,
    },
  );
}

/** A collection from the contract's message. */
export function collectionFromWire(m: CollectionMessage): Collection {
  return opt(
    {
      collectionAddress: m.collectionAddress,
      name: m.name,
      symbol: m.symbol,
      contractUri: m.contractUri,
      baseUri: m.baseUri,
      maxSupply: m.maxSupply,
      totalSupply: m.totalSupply,
      mintOpen: m.mintOpen,
      publicMinting: m.publicMinting,
      mintFeeWei: weiFromWire(m.mintFeeWei, 'mint_fee_wei'),
      mintFeeToken: m.mintFeeToken,
      ownerAddress: m.ownerAddress,
      status: operationStateFromWire(m.status),
    },
    { transactionHash: m.transactionHash, createdAt: date(m.createdAt) },
  );
}

/** The facade's result of a RegisterLicenseTerms response, with the write's key. */
export function termsRegistrationFromWire(
  m: RegisterLicenseTermsResponse,
  idempotencyKey: string,
): LicenseTermsRegistration {
  return opt(
    { status: operationStateFromWire(m.status), idempotencyKey },
    {
      transactionHash: m.transactionHash,
      licenseTermsId:
        m.licenseTermsId === undefined
          ? undefined
          : weiFromWire(m.licenseTermsId, 'license_terms_id'),
      terms: m.terms && licenseTermsFromWire(m.terms),
      errorMessage: m.errorMessage,
    },
  );
}

/** The facade's result of an AttachLicenseTerms response, with the write's key. */
export function attachmentFromWire(
  m: AttachLicenseTermsResponse,
  idempotencyKey: string,
): LicenseTermsAttachment {
  return opt(
    {
      ipAssetId: m.ipAssetId,
      licenseTermsId: weiFromWire(m.licenseTermsId, 'license_terms_id'),
      status: operationStateFromWire(m.status),
      idempotencyKey,
    },
    { transactionHash: m.transactionHash, errorMessage: m.errorMessage },
  );
}

/** The facade's result of a MintLicenseTokens response, with the write's key. */
export function licenseTokenMintFromWire(
  m: MintLicenseTokensResponse,
  idempotencyKey: string,
): LicenseTokenMint {
  return opt(
    {
      licensorIpAssetId: m.licensorIpAssetId,
      licenseTermsId: weiFromWire(m.licenseTermsId, 'license_terms_id'),
      status: operationStateFromWire(m.status),
      licenseTokenIds: m.licenseTokenIds.map((id) => weiFromWire(id, 'license_token_ids')),
      receiverAddress: m.receiverAddress,
      idempotencyKey,
    },
    {
      transactionHash: m.transactionHash,
      mintingFeePaidWei:
        m.mintingFeePaidWei === undefined
          ? undefined
          : weiFromWire(m.mintingFeePaidWei, 'minting_fee_paid_wei'),
      errorMessage: m.errorMessage,
    },
  );
}

/** The facade's result of a MintAndRegisterIpAsset response, with the write's key. */
export function mintAndRegistrationFromWire(
  m: MintAndRegisterIpAssetResponse,
  idempotencyKey: string,
): IpAssetMintAndRegistration {
  return opt(
    {
      contentId: m.contentId,
      status: operationStateFromWire(m.status),
      parents: m.parents.map(derivativeLinkFromWire),
      idempotencyKey,
    },
    {
      transactionHash: m.transactionHash,
      ipAssetId: m.ipAssetId,
      collectionAddress: m.collectionAddress,
      nftTokenId:
        m.nftTokenId === undefined ? undefined : optionalIdFromWire(m.nftTokenId, 'nft_token_id'),
      ipMetadata: metadataDocumentFromWire(m.ipMetadata),
      nftMetadata: metadataDocumentFromWire(m.nftMetadata),
      registeredAt: date(m.registeredAt),
      errorMessage: m.errorMessage,
    },
  );
}

/** An IP asset from the contract's message; ids the chain has not given yet are undefined. */
export function ipAssetFromWire(m: IpAssetMessage): IpAsset {
  return opt(
    {
      status: operationStateFromWire(m.status),
      collectionAddress: m.collectionAddress,
      ownerAddress: m.ownerAddress,
      licenseTerms: m.licenseTerms.map(registeredTermsFromWire),
      royaltyShares: m.royaltyShares.map(royaltyShareFromWire),
      parents: m.parents.map(derivativeLinkFromWire),
      children: m.children.map(derivativeLinkFromWire),
      childCount: m.childCount,
    },
    {
      ipAssetId: m.ipAssetId === '' ? undefined : m.ipAssetId,
      contentId: m.contentId,
      transactionHash: m.transactionHash,
      nftTokenId: optionalIdFromWire(m.nftTokenId, 'nft_token_id'),
      ipMetadata: metadataDocumentFromWire(m.ipMetadata),
      nftMetadata: metadataDocumentFromWire(m.nftMetadata),
      registeredAt: date(m.registeredAt),
      errorMessage: m.errorMessage,
    },
  );
}
