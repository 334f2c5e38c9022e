/**
 * Validation of the mystira.chain.ip.v1 requests at the edge, before the IpLedger port is called.
 * Each `parse*` function checks every field of one request and either throws INVALID_ARGUMENT
 * with a google.rpc.BadRequest naming each bad field by its proto path
 * (`royalty_shares[1].wallet_address`), or returns the port's input: addresses lower-cased, wei
 * and ids as `bigint`, presets expanded. A request is never half-checked: all its violations are
 * reported at once.
 */
import {
  type AttachLicenseTermsRequest,
  ContributorRole,
  type CreateCollectionRequest,
  type GetCollectionRequest,
  type GetIpAssetRequest,
  type GetLicenseTermsRequest,
  type MintAndRegisterIpAssetRequest,
  type MintLicenseTokensRequest,
  type RegisterLicenseTermsRequest,
  type RoyaltyShare,
  type MetadataInput as WireMetadataInput,
} from '@mystira/chain-protos';
import { IP_LIMITS, Violations } from './ip-fields.js';
import type {
  CreateCollectionInput,
  DerivativeLink,
  LicenseTermsInput,
  MetadataInput,
  MintAndRegisterInput,
  MintLicenseTokensInput,
} from './ip-ledger.js';
import { licenseTermsOf } from './ip-terms-validation.js';
import type { Split } from './ledger.js';
import { badRequest, LIMITS } from './validation.js';

/** Throws the request's violations, if any; returns `value` otherwise. */
function checked<T>(v: Violations, value: T): T {
  if (v.list.length > 0) throw badRequest(v.list);
  return value;
}

export function parseCreateCollection(req: CreateCollectionRequest): CreateCollectionInput {
  const v = new Violations();
  v.text('name', req.name, IP_LIMITS.collectionName);
  v.text('symbol', req.symbol, IP_LIMITS.collectionSymbol);
  v.maxLength('contract_uri', req.contractUri, IP_LIMITS.uri);
  if (req.maxSupply === 0) v.add('max_supply', 'must be at least 1 when set', 'OUT_OF_RANGE');
  v.idempotencyKey('idempotency_key', req.idempotencyKey);
  return checked(v, {
    name: req.name,
    symbol: req.symbol,
    contractUri: req.contractUri,
    maxSupply: req.maxSupply,
    idempotencyKey: req.idempotencyKey,
  });
}

/** Returns the collection address, lower case. */
export function parseGetCollection(req: GetCollectionRequest): string {
  const v = new Violations();
  return checked(v, v.address('collection_address', req.collectionAddress));
}

export function parseRegisterLicenseTerms(req: RegisterLicenseTermsRequest): LicenseTermsInput {
  const v = new Violations();
  const terms = licenseTermsOf(v, req.terms);
  v.idempotencyKey('idempotency_key', req.idempotencyKey);
  return checked(v, terms);
}

/** Returns the terms id. */
export function parseGetLicenseTerms(req: GetLicenseTermsRequest): bigint {
  const v = new Violations();
  return checked(v, v.id('license_terms_id', req.licenseTermsId));
}

export function parseAttachLicenseTerms(req: AttachLicenseTermsRequest): {
  ipAssetId: string;
  licenseTermsId: bigint;
} {
  const v = new Violations();
  const ipAssetId = v.address('ip_asset_id', req.ipAssetId);
  const licenseTermsId = v.id('license_terms_id', req.licenseTermsId);
  v.idempotencyKey('idempotency_key', req.idempotencyKey);
  return checked(v, { ipAssetId, licenseTermsId });
}

/**
 * An empty `receiver_address` means the server's signing wallet; the port receives `''` for it
 * (the ledger knows its signer, the server does not) and reports the wallet it used.
 */
export function parseMintLicenseTokens(req: MintLicenseTokensRequest): MintLicenseTokensInput {
  const v = new Violations();
  const licensorIpAssetId = v.address('licensor_ip_asset_id', req.licensorIpAssetId);
  const licenseTermsId = v.id('license_terms_id', req.licenseTermsId);
  if (req.amount < 1 || req.amount > IP_LIMITS.licenseTokens)
    v.add('amount', `must be between 1 and ${IP_LIMITS.licenseTokens}`, 'OUT_OF_RANGE');
  const receiver =
    v.optionalAddress('receiver_address', req.receiverAddress, 'INVALID_WALLET_ADDRESS') ?? '';
  const maxMintingFeeWei = v.optionalWei('max_minting_fee_wei', req.maxMintingFeeWei);
  v.revShare('max_revenue_share_micro_percent', req.maxRevenueShareMicroPercent);
  v.idempotencyKey('idempotency_key', req.idempotencyKey);
  return checked(v, {
    licensorIpAssetId,
    licenseTermsId,
    amount: req.amount,
    receiver,
    maxMintingFeeWei,
    maxRevenueShareMicroPercent: req.maxRevenueShareMicroPercent,
    idempotencyKey: req.idempotencyKey,
  });
}

/** One metadata document; undefined when the request has none. */
function metadata(
  v: Violations,
  field: string,
  input: WireMetadataInput | undefined,
): MetadataInput | undefined {
  if (input === undefined) return undefined;
  const source = input.source;
  switch (source.case) {
    case 'reference':
      return {
        kind: 'reference',
        uri: v.text(`${field}.reference.uri`, source.value.uri, IP_LIMITS.uri),
        hash: v.hash(`${field}.reference.hash`, source.value.hash),
      };
    case 'json': {
      const at = `${field}.json`;
      const json = source.value;
      const bytes = Buffer.byteLength(json, 'utf8');
      if (json.length === 0) v.add(at, 'is required', 'REQUIRED');
      else if (bytes > IP_LIMITS.metadataJsonBytes)
        v.add(at, `must be at most ${IP_LIMITS.metadataJsonBytes} bytes of UTF-8`, 'TOO_LARGE');
      else if (!isJsonObject(json)) v.add(at, 'must be one JSON object', 'INVALID_JSON');
      // Kept byte for byte: the ledger hashes exactly what the caller sent.
      return { kind: 'json', json };
    }
    default:
      v.add(`${field}.source`, 'one of reference or json is required', 'REQUIRED');
      return undefined;
  }
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Royalty shares, as ChainService checks contributors; ContributorRole numbers are ContributorType's. */
function royaltyShares(v: Violations, field: string, list: RoyaltyShare[]): Split[] {
  if (list.length === 0) {
    v.add(field, 'at least one royalty share is required', 'REQUIRED');
    return [];
  }
  if (list.length > IP_LIMITS.royaltyShares) {
    v.add(field, `at most ${IP_LIMITS.royaltyShares} royalty shares`, 'TOO_MANY');
    return [];
  }
  let sum = 0;
  const seen = new Set<string>();
  const splits = list.map((s, i): Split => {
    const at = `${field}[${i}]`;
    const before = v.list.length;
    const wallet = v.address(`${at}.wallet_address`, s.walletAddress, 'INVALID_WALLET_ADDRESS');
    if (v.list.length === before) {
      if (seen.has(wallet)) v.add(`${at}.wallet_address`, 'appears twice', 'DUPLICATE_WALLET');
      seen.add(wallet);
    }
    if (s.role === ContributorRole.UNSPECIFIED || ContributorRole[s.role] === undefined)
      v.add(
        `${at}.role`,
        'must be one of PUBLISHER, CURATOR, AUTHOR, ARTIST, OTHER',
        'INVALID_ENUM',
      );
    if (s.shareBasisPoints < 1 || s.shareBasisPoints > 10000)
      v.add(`${at}.share_basis_points`, 'must be between 1 and 10000', 'OUT_OF_RANGE');
    sum += s.shareBasisPoints;
    v.maxLength(`${at}.display_name`, s.displayName, LIMITS.displayName);
    return {
      wallet,
      type: s.role as number,
      shareBps: s.shareBasisPoints,
      displayName: s.displayName,
    };
  });
  if (sum !== 10000)
    v.add(field, `shares must sum to 10000 basis points, got ${sum}`, 'SHARES_NOT_10000');
  return splits;
}

function parents(v: Violations, list: MintAndRegisterIpAssetRequest['parents']): DerivativeLink[] {
  if (list.length > IP_LIMITS.parents) {
    v.add('parents', `at most ${IP_LIMITS.parents} parents`, 'TOO_MANY');
    return [];
  }
  const seen = new Set<string>();
  return list.map((p, i) => {
    const at = `parents[${i}]`;
    const before = v.list.length;
    const ipAssetId = v.address(`${at}.ip_asset_id`, p.ipAssetId);
    if (v.list.length === before) {
      if (seen.has(ipAssetId)) v.add(`${at}.ip_asset_id`, 'appears twice', 'DUPLICATE_PARENT');
      seen.add(ipAssetId);
    }
    return { ipAssetId, licenseTermsId: v.id(`${at}.license_terms_id`, p.licenseTermsId) };
  });
}

export function parseMintAndRegister(req: MintAndRegisterIpAssetRequest): MintAndRegisterInput {
  const v = new Violations();
  v.text('content_id', req.contentId, LIMITS.id);
  const input: MintAndRegisterInput = {
    contentId: req.contentId,
    collection: v.optionalAddress('collection_address', req.collectionAddress),
    ipMetadata: metadata(v, 'ip_metadata', req.ipMetadata),
    nftMetadata: metadata(v, 'nft_metadata', req.nftMetadata),
    royaltyShares: royaltyShares(v, 'royalty_shares', req.royaltyShares),
    parents: parents(v, req.parents),
    maxMintingFeeWei: v.optionalWei('max_minting_fee_wei', req.maxMintingFeeWei),
    maxRevenueShareMicroPercent: req.maxRevenueShareMicroPercent,
  };
  v.revShare('max_revenue_share_micro_percent', req.maxRevenueShareMicroPercent);
  v.idempotencyKey('idempotency_key', req.idempotencyKey);
  return checked(v, input);
}

export function parseGetIpAsset(
  req: GetIpAssetRequest,
): { ipAssetId: string } | { contentId: string } {
  const v = new Violations();
  const asset = req.asset;
  switch (asset.case) {
    case 'ipAssetId':
      return checked(v, { ipAssetId: v.address('ip_asset_id', asset.value) });
    case 'contentId':
      return checked(v, { contentId: v.text('content_id', asset.value, LIMITS.id) });
    default:
      v.add('asset', 'one of ip_asset_id or content_id is required', 'REQUIRED');
      return checked(v, { contentId: '' });
  }
}
