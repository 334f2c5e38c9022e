/**
 * The handlers of the mystira.chain.ip.v1 services (CollectionService, LicensingService,
 * IpAssetService) over the IpLedger port: validate and convert the request
 * (src/ip-validation.ts), call the port (writes once per idempotency key), convert the record
 * (src/ip-convert.ts). They keep ChainService's rule on errors and results: a gRPC error means
 * nothing was done (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION,
 * UNAVAILABLE; INTERNAL without its message), a status FAILED means a transaction reached the
 * chain and failed, and is kept under its idempotency key like a success.
 */
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  type AttachLicenseTermsRequest,
  type AttachLicenseTermsResponse,
  CollectionService,
  type CreateCollectionRequest,
  type CreateCollectionResponse,
  type GetCollectionRequest,
  type GetCollectionResponse,
  GetCollectionResponseSchema,
  type GetIpAssetRequest,
  type GetIpAssetResponse,
  GetIpAssetResponseSchema,
  type GetLicenseTermsRequest,
  type GetLicenseTermsResponse,
  GetLicenseTermsResponseSchema,
  IpAssetService,
  LicensingService,
  type MintAndRegisterIpAssetRequest,
  type MintAndRegisterIpAssetResponse,
  type MintLicenseTokensRequest,
  type MintLicenseTokensResponse,
  type RegisterLicenseTermsRequest,
  type RegisterLicenseTermsResponse,
} from '@mystira/chain-protos';
import { toConnectError } from './connect-errors.js';
import type { CallContext, Unary } from './handlers.js';
import { type IdempotencyStore, MemoryIdempotencyStore, rpcWriter } from './idempotency.js';
import {
  collectionMessage,
  derivativeLinkMessage,
  ipAssetMessage,
  licenseTermsMessage,
  metadataMessage,
  operationStatus,
  timestamp,
} from './ip-convert.js';

import type { IpLedger } from './ip-ledger.js';
import {
  parseAttachLicenseTerms,
  parseCreateCollection,
  parseGetCollection,
  parseGetIpAsset,
  parseGetLicenseTerms,
  parseMintAndRegister,
  parseMintLicenseTokens,
  parseRegisterLicenseTerms,
} from './ip-validation.js';

/** Options of {@link createIpHandlers}. */
export interface IpHandlerOptions {
  /** The port the handlers act on (`Ledger.ip`). */
  ip: IpLedger;
  /** Where idempotency keys are kept; share ChainService's. Default a {@link MemoryIdempotencyStore}. */
  idempotency?: IdempotencyStore;
  /** Called with the cause of every INTERNAL failure (clients only see "internal error"). */
  onInternalError?: (error: unknown, method: string) => void;
}

/** The handlers of the three services, keyed by the generated method names (unique across them). */
export interface IpHandlers {
  /** CollectionService.CreateCollection. */
  createCollection: Unary<CreateCollectionRequest, CreateCollectionResponse>;
  /** CollectionService.GetCollection. */
  getCollection: Unary<GetCollectionRequest, GetCollectionResponse>;
  /** LicensingService.RegisterLicenseTerms. */
  registerLicenseTerms: Unary<RegisterLicenseTermsRequest, RegisterLicenseTermsResponse>;
  /** LicensingService.GetLicenseTerms. */
  getLicenseTerms: Unary<GetLicenseTermsRequest, GetLicenseTermsResponse>;
  /** LicensingService.AttachLicenseTerms. */
  attachLicenseTerms: Unary<AttachLicenseTermsRequest, AttachLicenseTermsResponse>;
  /** LicensingService.MintLicenseTokens. */
  mintLicenseTokens: Unary<MintLicenseTokensRequest, MintLicenseTokensResponse>;
  /** IpAssetService.MintAndRegisterIpAsset. */
  mintAndRegisterIpAsset: Unary<MintAndRegisterIpAssetRequest, MintAndRegisterIpAssetResponse>;
  /** IpAssetService.GetIpAsset. */
  getIpAsset: Unary<GetIpAssetRequest, GetIpAssetResponse>;
}

function notFound(what: string): ConnectError {
  return new ConnectError(`${what} not found`, Code.NotFound);
}

/** Creates the handlers of CollectionService, LicensingService and IpAssetService over a port. */
export function createIpHandlers(options: IpHandlerOptions): IpHandlers {
  const { ip } = options;
  const store = options.idempotency ?? new MemoryIdempotencyStore();

  /** A write of the ip services, keyed `Service/Method` (ChainService's keep their bare names). */
  const write = rpcWriter(store, (method) => `${method.parent.typeName}/${method.name}`);

  const handlers: IpHandlers = {
    async createCollection(req, call) {
      const input = parseCreateCollection(req);
      return write(CollectionService.method.createCollection, req, call, async () => {
        const c = await ip.createCollection(input, call.signal);
        return {
          status: operationStatus(c.state),
          transactionHash: c.txHash,
          collectionAddress: c.address,
          createdAt: timestamp(c.createdAt),
          errorMessage: c.errorMessage,
        };
      });
    },

    async getCollection(req) {
      const address = parseGetCollection(req);
      const c = await ip.getCollection(address);
      if (!c) throw notFound(`collection ${address}`);
      return create(GetCollectionResponseSchema, { collection: collectionMessage(c, address) });
    },

    async registerLicenseTerms(req, call) {
      const terms = parseRegisterLicenseTerms(req);
      return write(LicensingService.method.registerLicenseTerms, req, call, async () => {
        const r = await ip.registerLicenseTerms(terms, call.signal);
        return {
          status: operationStatus(r.state),
          transactionHash: r.txHash,
          licenseTermsId: r.licenseTermsId?.toString(),
          terms: licenseTermsMessage(r.terms),
          errorMessage: r.errorMessage,
        };
      });
    },

    async getLicenseTerms(req) {
      const id = parseGetLicenseTerms(req);
      const t = await ip.getLicenseTerms(id);
      if (!t) throw notFound(`license terms ${id}`);
      return create(GetLicenseTermsResponseSchema, {
        licenseTermsId: t.licenseTermsId.toString(),
        terms: licenseTermsMessage(t.terms),
      });
    },

    async attachLicenseTerms(req, call) {
      const input = parseAttachLicenseTerms(req);
      return write(LicensingService.method.attachLicenseTerms, req, call, async () => {
        const r = await ip.attachLicenseTerms(input, call.signal);
        return {
          ipAssetId: input.ipAssetId,
          licenseTermsId: input.licenseTermsId.toString(),
          status: operationStatus(r.state),
          transactionHash: r.txHash,
          errorMessage: r.errorMessage,
        };
      });
    },

    async mintLicenseTokens(req, call) {
      const input = parseMintLicenseTokens(req);
      return write(LicensingService.method.mintLicenseTokens, req, call, async () => {
        const r = await ip.mintLicenseTokens(input, call.signal);
        return {
          licensorIpAssetId: r.licensorIpAssetId,
          licenseTermsId: r.licenseTermsId.toString(),
          status: operationStatus(r.state),
          transactionHash: r.txHash,
          licenseTokenIds: r.tokenIds.map(String),
          receiverAddress: r.receiver,
          mintingFeePaidWei: r.mintingFeePaidWei?.toString(),
          errorMessage: r.errorMessage,
        };
      });
    },

    async mintAndRegisterIpAsset(req, call) {
      const input = parseMintAndRegister(req);
      return write(IpAssetService.method.mintAndRegisterIpAsset, req, call, async () => {
        const a = await ip.mintAndRegisterIpAsset(input, call.signal);
        return {
          contentId: input.contentId,
          status: operationStatus(a.state),
          transactionHash: a.txHash,
          // Empty until the transaction is in a block: unset on the wire, not "".
          ipAssetId: a.ipAssetId || undefined,
          collectionAddress: a.collection || undefined,
          nftTokenId: a.nftTokenId || undefined,
          ipMetadata: metadataMessage(a.ipMetadata),
          nftMetadata: metadataMessage(a.nftMetadata),
          parents: input.parents.map(derivativeLinkMessage),
          registeredAt: timestamp(a.registeredAt),
          errorMessage: a.errorMessage,
        };
      });
    },

    async getIpAsset(req) {
      const by = parseGetIpAsset(req);
      const a = await ip.getIpAsset(by);
      if (!a) {
        throw notFound('ipAssetId' in by ? `IP asset ${by.ipAssetId}` : `content ${by.contentId}`);
      }
      return create(GetIpAssetResponseSchema, { ipAsset: ipAssetMessage(a) });
    },
  };
  return reportingErrors(handlers, options.onInternalError);
}

/**
 * Every handler's failure leaves as a ConnectError (LedgerError codes mapped as ChainService maps
 * them, anything else INTERNAL without its message), and INTERNAL ones are reported with their
 * cause.
 */
function reportingErrors(
  h: IpHandlers,
  report?: (error: unknown, method: string) => void,
): IpHandlers {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(h) as [string, Unary<unknown, unknown>][]) {
    out[name] = async (req: unknown, call: CallContext) => {
      try {
        return await fn(req, call);
      } catch (error) {
        const e = toConnectError(error);
        if (e.code === Code.Internal && report) report(e.cause ?? error, name);
        throw e;
      }
    };
  }
  return out as unknown as IpHandlers;
}
