/**
 * The IpLedger port's records as mystira.chain.ip.v1 messages: `bigint` wei and ids as decimal
 * strings, `Date` as Timestamp, the port's string unions as the contract's enums. The other
 * direction (requests into port inputs) is validation's job (src/ip-validation.ts), which checks
 * and converts in one pass.
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AttachedLicenseTermsSchema,
  type Collection,
  CollectionSchema,
  type ContributorRole,
  DerivativeLinkSchema,
  type IpAsset,
  IpAssetSchema,
  type LicenseTerms,
  LicenseTermsSchema,
  type MetadataDocument,
  MetadataDocumentSchema,
  OperationStatus,
  type RoyaltyShare,
  RoyaltyShareSchema,
  type DerivativeLink as WireDerivativeLink,
  RoyaltyPolicy as WirePolicy,
} from '@mystira/chain-protos';
import type {
  CollectionRecord,
  DerivativeLink,
  IpAssetRecord,
  LicenseTermsInput,
  LicenseTermsRecord,
  MetadataRecord,
  OperationState,
  RoyaltyPolicy,
} from './ip-ledger.js';
import { sharedTermsFields } from './ip-terms-fields.js';
import type { Split } from './ledger.js';

/** uint64's largest value: expiration_seconds on the wire (uint256 on chain). */
const MAX_UINT64 = (1n << 64n) - 1n;

const STATUS: Record<OperationState, OperationStatus> = {
  pending: OperationStatus.PENDING,
  processing: OperationStatus.PROCESSING,
  confirmed: OperationStatus.CONFIRMED,
  failed: OperationStatus.FAILED,
};

const POLICY: Record<RoyaltyPolicy, WirePolicy> = {
  none: WirePolicy.NONE,
  lap: WirePolicy.LAP,
  lrp: WirePolicy.LRP,
};

/** A port state as the contract's OperationStatus (UNSPECIFIED for one the port never names). */
export function operationStatus(state: OperationState): OperationStatus {
  return STATUS[state] ?? OperationStatus.UNSPECIFIED;
}

/** The `Date` a record may carry, as a Timestamp. */
export function timestamp(date: Date | undefined) {
  return date && timestampFromDate(date);
}

export function licenseTermsMessage(t: LicenseTermsInput): LicenseTerms {
  return create(LicenseTermsSchema, {
    ...sharedTermsFields(t),
    royaltyPolicy: POLICY[t.royaltyPolicy] ?? WirePolicy.UNSPECIFIED,
    mintingFeeWei: t.mintingFeeWei.toString(),
    // A chain may hold a longer expiration than uint64 seconds (5.8e11 years): that is "never" too.
    expirationSeconds: t.expirationSeconds > MAX_UINT64 ? MAX_UINT64 : t.expirationSeconds,
    currencyToken: t.currencyToken,
  });
}

export function derivativeLinkMessage(link: DerivativeLink): WireDerivativeLink {
  return create(DerivativeLinkSchema, {
    ipAssetId: link.ipAssetId,
    licenseTermsId: link.licenseTermsId.toString(),
  });
}

export function metadataMessage(doc: MetadataRecord | undefined): MetadataDocument | undefined {
  return doc && create(MetadataDocumentSchema, { uri: doc.uri, hash: doc.hash, json: doc.json });
}

/** ContributorRole has ContributorType's numbers, so a split's type converts as it is. */
export function royaltyShareMessage(s: Split): RoyaltyShare {
  return create(RoyaltyShareSchema, {
    walletAddress: s.wallet,
    role: s.type as number as ContributorRole,
    shareBasisPoints: s.shareBps,
    displayName: s.displayName,
  });
}

export function collectionMessage(c: CollectionRecord, address: string): Collection {
  return create(CollectionSchema, {
    collectionAddress: c.address ?? address,
    name: c.name,
    symbol: c.symbol,
    contractUri: c.contractUri,
    baseUri: c.baseUri,
    maxSupply: c.maxSupply,
    totalSupply: c.totalSupply,
    mintOpen: c.mintOpen,
    publicMinting: c.publicMinting,
    mintFeeWei: c.mintFeeWei.toString(),
    mintFeeToken: c.mintFeeToken,
    ownerAddress: c.owner,
    status: operationStatus(c.state),
    transactionHash: c.txHash,
    createdAt: timestamp(c.createdAt),
  });
}

function attachedTerms(t: LicenseTermsRecord) {
  return create(AttachedLicenseTermsSchema, {
    licenseTermsId: t.licenseTermsId.toString(),
    terms: licenseTermsMessage(t.terms),
  });
}

export function ipAssetMessage(a: IpAssetRecord): IpAsset {
  return create(IpAssetSchema, {
    ipAssetId: a.ipAssetId,
    contentId: a.contentId,
    status: operationStatus(a.state),
    transactionHash: a.txHash,
    collectionAddress: a.collection,
    nftTokenId: a.nftTokenId,
    ownerAddress: a.owner,
    ipMetadata: metadataMessage(a.ipMetadata),
    nftMetadata: metadataMessage(a.nftMetadata),
    licenseTerms: a.licenseTerms.map(attachedTerms),
    royaltyShares: a.royaltyShares.map(royaltyShareMessage),
    parents: a.parents.map(derivativeLinkMessage),
    children: a.children.map(derivativeLinkMessage),
    childCount: a.childCount,
    registeredAt: timestamp(a.registeredAt),
    errorMessage: a.errorMessage,
  });
}
