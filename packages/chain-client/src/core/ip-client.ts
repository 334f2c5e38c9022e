/**
 * `client.ip`: typed methods for the `mystira.chain.ip.v1` services (CollectionService,
 * LicensingService, IpAssetService), on the same transports, call policy (deadline, retries,
 * breaker, hedging of reads) and idempotency keys as the ChainService facade — the core client
 * hands over its `unary`, so a call here behaves exactly like `registerIpAsset` or
 * `getIpAssetStatus` there.
 */
import type {
  DescMessage,
  DescMethodUnary,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';
import { type Client, createClient, type Transport } from '@connectrpc/connect';
import {
  CollectionService,
  type CreateCollectionRequestSchema,
  IpAssetService,
  LicensingService,
  type MintAndRegisterIpAssetRequestSchema,
  type MintLicenseTokensRequestSchema,
} from '@mystira/chain-protos';
import type { CallOptions } from './client.js';
import { ChainError, inputFieldPath } from './errors.js';
import {
  attachmentFromWire,
  collectionCreationFromWire,
  collectionFromWire,
  derivativeLinkToWire,
  idToWire,
  ipAssetFromWire,
  licenseTermsFromWire,
  licenseTermsSpecToWire,
  licenseTokenMintFromWire,
  metadataToWire,
  mintAndRegistrationFromWire,
  requiredMessage,
  royaltyShareToWire,
  termsRegistrationFromWire,
  uint32ToWire,
} from './ip-convert.js';
import type {
  AttachLicenseTermsInput,
  BigIntInput,
  Collection,
  CollectionCreation,
  CreateCollectionInput,
  IpAsset,
  IpAssetLookup,
  IpAssetMintAndRegistration,
  LicenseTermsAttachment,
  LicenseTermsRegistration,
  LicenseTokenMint,
  MintAndRegisterIpAssetInput,
  MintLicenseTokensInput,
  RegisteredLicenseTerms,
  RegisterLicenseTermsInput,
} from './ip-types.js';
import { weiFromWire, weiToWire } from './wire.js';

/** The generated Connect clients of the three services (same transports and protocol switch). */
export interface RawIpClients {
  /** `mystira.chain.ip.v1.CollectionService`. */
  readonly collections: Client<typeof CollectionService>;
  /** `mystira.chain.ip.v1.LicensingService`. */
  readonly licensing: Client<typeof LicensingService>;
  /** `mystira.chain.ip.v1.IpAssetService`. */
  readonly ipAssets: Client<typeof IpAssetService>;
}

/**
 * Collections, license terms, license tokens and derivatives (`mystira.chain.ip.v1`), as
 * `client.ip`. Writes carry an idempotency key (yours, or a UUIDv7 generated once per call and
 * reused on every retry) and answer once their transaction is in a block (`processing`) or has
 * failed; follow `transactionHash` with `client.watchTransactions`. Reads may be hedged. Errors
 * are the same {@link ChainError} classes as the rest of the client; a read of something unknown
 * rejects with `ChainNotFoundError`, as `getIpAssetStatus` does.
 */
export interface IpClient {
  /** Creates an SPG NFT collection owned by the server's wallet (owner-minted, free). */
  createCollection(
    input: CreateCollectionInput,
    options?: CallOptions,
  ): Promise<CollectionCreation>;
  /** Reads a collection by address. */
  getCollection(collectionAddress: string, options?: CallOptions): Promise<Collection>;
  /**
   * Registers PIL terms from a preset or custom; identical terms already registered answer
   * `confirmed` with their id and no transaction.
   */
  registerLicenseTerms(
    input: RegisterLicenseTermsInput,
    options?: CallOptions,
  ): Promise<LicenseTermsRegistration>;
  /** Reads terms by id. */
  getLicenseTerms(
    licenseTermsId: BigIntInput,
    options?: CallOptions,
  ): Promise<RegisteredLicenseTerms>;
  /** Attaches terms to an asset the server's wallet owns (already attached: `confirmed`). */
  attachLicenseTerms(
    input: AttachLicenseTermsInput,
    options?: CallOptions,
  ): Promise<LicenseTermsAttachment>;
  /** Mints license tokens of an asset under terms attached to it, paying their minting fee. */
  mintLicenseTokens(
    input: MintLicenseTokensInput,
    options?: CallOptions,
  ): Promise<LicenseTokenMint>;
  /**
   * Mints an NFT and registers it as an IP asset with its metadata and royalty shares; with
   * `parents`, as their derivative under their terms (the only time a parent link can be made).
   */
  mintAndRegisterIpAsset(
    input: MintAndRegisterIpAssetInput,
    options?: CallOptions,
  ): Promise<IpAssetMintAndRegistration>;
  /** Reads an asset, by `{ ipAssetId }` or `{ contentId }`, with its graph and terms. */
  getIpAsset(lookup: IpAssetLookup, options?: CallOptions): Promise<IpAsset>;
  /** The generated Connect clients, for what these methods do not cover. */
  readonly raw: RawIpClients;
}

/** The core client's call runner: the call policy around one unary call. */
export type UnaryCall = <I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  input: MessageInitShape<I>,
  opts: CallOptions | undefined,
  read: boolean,
  idempotencyKey?: string,
) => Promise<MessageShape<O>>;

/**
 * Where an input's shape differs from the message's, a violation's `inputField` is renamed to
 * the input's path: a preset's fields sit next to `preset` (`commercial_remix.minting_fee_wei` is
 * `mintingFeeWei`), and a metadata reference's next to nothing (`ip_metadata.reference.uri` is
 * `ipMetadata.uri`).
 */
const PRESET_PREFIX = /^(nonCommercialSocialRemixing|commercialUse|commercialRemix)\./;
const REFERENCE = /^(ipMetadata|nftMetadata)\.reference\./;

/**
 * Runs `call` and renames the input paths of any field violation. The error is the one this
 * call produced (no one else holds it), so it is updated in place: its class, code, details
 * and stack stay as they are.
 */
async function renamingViolations<T>(
  rename: (inputField: string) => string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ChainError && err.fieldViolations.length > 0) {
      (err as { fieldViolations: ChainError['fieldViolations'] }).fieldViolations =
        err.fieldViolations.map((v) => ({ ...v, inputField: rename(inputFieldPath(v.field)) }));
    }
    throw err;
  }
}

/**
 * Sets the caps a licensee puts on what minting a license may cost, when given: MintLicenseTokens
 * and MintAndRegisterIpAsset (for a derivative's parents) carry the same two.
 */
function setFeeCaps(
  msg: { maxMintingFeeWei?: string; maxRevenueShareMicroPercent?: number },
  input: Pick<MintLicenseTokensInput, 'maxMintingFeeWei' | 'maxRevenueShareMicroPercent'>,
): void {
  if (input.maxMintingFeeWei !== undefined)
    msg.maxMintingFeeWei = weiToWire(input.maxMintingFeeWei, 'max_minting_fee_wei');
  if (input.maxRevenueShareMicroPercent !== undefined)
    msg.maxRevenueShareMicroPercent = uint32ToWire(
      input.maxRevenueShareMicroPercent,
      'max_revenue_share_micro_percent',
    );
}

/** Builds `client.ip` on the core client's call runner, transport and key generator. */
export function createIpClient(
  unary: UnaryCall,
  transport: Transport,
  newKey: () => string,
): IpClient {
  const C = CollectionService.method;
  const L = LicensingService.method;
  const A = IpAssetService.method;
  return {
    raw: {
      collections: createClient(CollectionService, transport),
      licensing: createClient(LicensingService, transport),
      ipAssets: createClient(IpAssetService, transport),
    },

    async createCollection(input, opts) {
      const key = input.idempotencyKey ?? newKey();
      const msg: MessageInitShape<typeof CreateCollectionRequestSchema> = {
        name: input.name,
        symbol: input.symbol,
        contractUri: input.contractUri ?? '',
        idempotencyKey: key,
      };
      if (input.maxSupply !== undefined)
        msg.maxSupply = uint32ToWire(input.maxSupply, 'max_supply');
      return collectionCreationFromWire(
        await unary(C.createCollection, msg, opts, false, key),
        key,
      );
    },
    async getCollection(collectionAddress, opts) {
      const res = await unary(C.getCollection, { collectionAddress }, opts, true);
      return collectionFromWire(
        requiredMessage(res.collection, 'GetCollectionResponse.collection'),
      );
    },

    registerLicenseTerms(input, opts) {
      return renamingViolations(
        (path) => path.replace(PRESET_PREFIX, ''),
        async () => {
          const key = input.idempotencyKey ?? newKey();
          const msg = { terms: licenseTermsSpecToWire(input), idempotencyKey: key };
          const res = await unary(L.registerLicenseTerms, msg, opts, false, key);
          return termsRegistrationFromWire(res, key);
        },
      );
    },
    async getLicenseTerms(licenseTermsId, opts) {
      const id = idToWire(licenseTermsId, 'license_terms_id');
      const res = await unary(L.getLicenseTerms, { licenseTermsId: id }, opts, true);
      return {
        licenseTermsId: weiFromWire(res.licenseTermsId, 'license_terms_id'),
        terms: licenseTermsFromWire(requiredMessage(res.terms, 'GetLicenseTermsResponse.terms')),
      };
    },
    async attachLicenseTerms(input, opts) {
      const key = input.idempotencyKey ?? newKey();
      const msg = {
        ipAssetId: input.ipAssetId,
        licenseTermsId: idToWire(input.licenseTermsId, 'license_terms_id'),
        idempotencyKey: key,
      };
      return attachmentFromWire(await unary(L.attachLicenseTerms, msg, opts, false, key), key);
    },
    async mintLicenseTokens(input, opts) {
      const key = input.idempotencyKey ?? newKey();
      const msg: MessageInitShape<typeof MintLicenseTokensRequestSchema> = {
        licensorIpAssetId: input.licensorIpAssetId,
        licenseTermsId: idToWire(input.licenseTermsId, 'license_terms_id'),
        amount: uint32ToWire(input.amount, 'amount'),
        receiverAddress: input.receiverAddress ?? '',
        idempotencyKey: key,
      };
      setFeeCaps(msg, input);
      return licenseTokenMintFromWire(await unary(L.mintLicenseTokens, msg, opts, false, key), key);
    },

    mintAndRegisterIpAsset(input, opts) {
      return renamingViolations(
        (path) => path.replace(REFERENCE, '$1.'),
        async () => {
          const key = input.idempotencyKey ?? newKey();
          const msg: MessageInitShape<typeof MintAndRegisterIpAssetRequestSchema> = {
            contentId: input.contentId,
            collectionAddress: input.collectionAddress ?? '',
            royaltyShares: input.royaltyShares.map(royaltyShareToWire),
            parents: (input.parents ?? []).map(derivativeLinkToWire),
            idempotencyKey: key,
          };
          if (input.ipMetadata) msg.ipMetadata = metadataToWire(input.ipMetadata, 'ip_metadata');
          if (input.nftMetadata)
            msg.nftMetadata = metadataToWire(input.nftMetadata, 'nft_metadata');
          setFeeCaps(msg, input);
          const res = await unary(A.mintAndRegisterIpAsset, msg, opts, false, key);
          return mintAndRegistrationFromWire(res, key);
        },
      );
    },
    async getIpAsset(lookup, opts) {
      const asset =
        'ipAssetId' in lookup
          ? { case: 'ipAssetId' as const, value: lookup.ipAssetId }
          : { case: 'contentId' as const, value: lookup.contentId };
      const res = await unary(A.getIpAsset, { asset }, opts, true);
      return ipAssetFromWire(requiredMessage(res.ipAsset, 'GetIpAssetResponse.ip_asset'));
    },
  };
}
