/**
 * The handlers of the 12 ChainService RPCs, as one object both serving paths call (the Connect
 * router through {@link chainServiceImpl}, the lean unary path directly). Each job is a group of
 * its own under `chain-handlers/`: registration, royalties, transactions (the watch stream) and
 * the service's status; this file holds the contract they fill and puts them together, with one
 * error mapping around all of them.
 */
import {
  Code,
  type ConnectError,
  type HandlerContext,
  type ServiceImpl,
} from '@connectrpc/connect';
import type {
  BatchRegisterResponse,
  ChainService,
  ClaimableRoyaltiesResponse,
  ClaimRoyaltiesRequest,
  ClaimRoyaltiesResponse,
  GetClaimableRoyaltiesRequest,
  GetIpAssetStatusRequest,
  GetRoyaltyConfigurationRequest,
  HealthCheckResponse,
  IpAssetStatusResponse,
  IsRegisteredRequest,
  IsRegisteredResponse,
  PayRoyaltiesRequest,
  PayRoyaltiesResponse,
  RegisterIpAssetRequest,
  RegisterIpAssetResponse,
  RoyaltyConfigurationResponse,
  ServiceInfoResponse,
  TransactionUpdate,
  UpdateRoyaltySplitRequest,
  UpdateRoyaltySplitResponse,
  WatchTransactionsRequest,
} from '@mystira/chain-protos';
import { type Principal, principalKey } from './auth.js';
import type { ResolvedHandlerOptions } from './chain-handlers/options.js';
import { registrationHandlers } from './chain-handlers/registration.js';
import { royaltyHandlers } from './chain-handlers/royalties.js';
import { serviceStatusHandlers } from './chain-handlers/service-status.js';
import { transactionHandlers } from './chain-handlers/transactions.js';
import { toConnectError } from './connect-errors.js';
import { type IdempotencyStore, MemoryIdempotencyStore, rpcWriter } from './idempotency.js';
import type { Ledger } from './ledger.js';

/** What a handler needs to know about the call, whichever path it came in on. */
export interface CallContext {
  /** Aborted when the client cancels, the deadline passes or the server shuts down. */
  signal: AbortSignal;
  /** The authenticated caller, when the server authenticates. */
  principal?: Principal;
}

/** Bounds on the two streaming RPCs. */
export interface StreamLimits {
  /** Most transaction hashes one WatchTransactions call may watch. Default 100. */
  maxWatchedHashes: number;
  /** Most items one BatchRegisterIpAssets stream may send. Default 1000. */
  maxBatchItems: number;
  /**
   * A stream with no traffic for this long ends with DEADLINE_EXCEEDED: a watch with no update,
   * a batch with no next item. Default 5 minutes.
   */
  streamIdleTimeoutMs: number;
}

/** 100 watched hashes, 1000 batch items, 5 minutes of idle stream. */
export const defaultStreamLimits: StreamLimits = {
  maxWatchedHashes: 100,
  maxBatchItems: 1000,
  streamIdleTimeoutMs: 5 * 60_000,
};

/** Options of {@link createChainHandlers}. */
export interface ChainHandlerOptions {
  /** The ledger the handlers act on. */
  ledger: Ledger;
  /** Default: a {@link MemoryIdempotencyStore}. */
  idempotency?: IdempotencyStore;
  /** Stream bounds. Default {@link defaultStreamLimits}. */
  limits?: Partial<StreamLimits>;
  /** Reported by HealthCheck and GetServiceInfo. Default `0.0.0`. */
  version?: string;
  /** Reported by GetServiceInfo. Default "mystira-chain-server". */
  serviceName?: string;
  /** When aborted, streams end with UNAVAILABLE and HealthCheck reports NOT_SERVING. */
  shutdownSignal?: AbortSignal;
  /** The clock (timestamps in responses). Default `new Date()`. */
  now?: () => Date;
  /**
   * Called with the original error whenever a call fails with INTERNAL (a bug or an unexpected
   * ledger error): the client only sees "internal error", so log it here.
   */
  onInternalError?: (error: unknown, method: string) => void;
}

/**
 * A unary handler: the request and the call, the response or a ConnectError.
 *
 * @inline
 */
export type Unary<I, O> = (req: I, call: CallContext) => Promise<O>;

/** The 12 handlers, keyed by the generated method names. */
export interface ChainHandlers {
  /** RegisterIpAsset: validates, then submits the registration once per idempotency key. */
  registerIpAsset: Unary<RegisterIpAssetRequest, RegisterIpAssetResponse>;
  /** IsRegistered: whether a piece of content is registered. */
  isRegistered: Unary<IsRegisteredRequest, IsRegisteredResponse>;
  /** GetIpAssetStatus: where the registration of a piece of content stands. */
  getIpAssetStatus: Unary<GetIpAssetStatusRequest, IpAssetStatusResponse>;
  /**
   * BatchRegisterIpAssets: registers each streamed request like RegisterIpAsset; one result per
   * item.
   */
  batchRegisterIpAssets: (
    requests: AsyncIterable<RegisterIpAssetRequest>,
    call: CallContext,
  ) => Promise<BatchRegisterResponse>;
  /** GetRoyaltyConfiguration: how an IP asset's royalties are split. */
  getRoyaltyConfiguration: Unary<GetRoyaltyConfigurationRequest, RoyaltyConfigurationResponse>;
  /** UpdateRoyaltySplit: replaces an IP asset's royalty split. */
  updateRoyaltySplit: Unary<UpdateRoyaltySplitRequest, UpdateRoyaltySplitResponse>;
  /** PayRoyalties: pays royalties to an IP asset, split among its recipients. */
  payRoyalties: Unary<PayRoyaltiesRequest, PayRoyaltiesResponse>;
  /** GetClaimableRoyalties: what a wallet can claim. */
  getClaimableRoyalties: Unary<GetClaimableRoyaltiesRequest, ClaimableRoyaltiesResponse>;
  /** ClaimRoyalties: pays out a contributor's claimable royalties from one IP asset. */
  claimRoyalties: Unary<ClaimRoyaltiesRequest, ClaimRoyaltiesResponse>;
  /**
   * WatchTransactions: each watched transaction's current state, then every change, until all are
   * terminal.
   */
  watchTransactions: (
    req: WatchTransactionsRequest,
    call: CallContext,
  ) => AsyncIterable<TransactionUpdate>;
  /** HealthCheck: the ledger's serving state (NOT_SERVING once shutdown starts). */
  healthCheck: Unary<unknown, HealthCheckResponse>;
  /**
   * GetServiceInfo: version, network, endpoints, contracts and the supported RPCs (the
   * mystira.chain.ip.v1 ones too when the ledger has `ip`).
   */
  getServiceInfo: Unary<unknown, ServiceInfoResponse>;
}

/** Creates the handlers of the 12 RPCs over a ledger. */
export function createChainHandlers(options: ChainHandlerOptions): ChainHandlers {
  const resolved: ResolvedHandlerOptions = {
    ledger: options.ledger,
    write: rpcWriter(options.idempotency ?? new MemoryIdempotencyStore(), (method) => method.name),
    limits: { ...defaultStreamLimits, ...options.limits },
    now: options.now ?? (() => new Date()),
    version: options.version ?? '0.0.0',
    serviceName: options.serviceName ?? 'mystira-chain-server',
    shutdown: options.shutdownSignal,
  };
  // The groups in the service's method order, so the object iterates like the generated one.
  const handlers: ChainHandlers = {
    ...registrationHandlers(resolved),
    ...royaltyHandlers(resolved),
    ...transactionHandlers(resolved),
    ...serviceStatusHandlers(resolved),
  };
  return reportingErrors(handlers, options.onInternalError);
}

/**
 * Every handler's failure leaves as a ConnectError (one mapping for both serving paths), and
 * INTERNAL ones are reported with their cause.
 */
function reportingErrors(
  h: ChainHandlers,
  report?: (error: unknown, method: string) => void,
): ChainHandlers {
  const fail = (method: string, error: unknown): ConnectError => {
    const e = toConnectError(error);
    if (e.code === Code.Internal && report) report(e.cause ?? error, method);
    return e;
  };
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(h) as [string, (...args: unknown[]) => unknown][]) {
    if (name === 'watchTransactions') {
      out[name] = async function* (...args: unknown[]) {
        try {
          yield* fn(...args) as AsyncIterable<TransactionUpdate>;
        } catch (error) {
          throw fail(name, error);
        }
      };
    } else {
      // Unary handlers are async: one rejection handler on their promise, not an async wrapper
      // awaiting it (every call goes through here; the wrapper cost a promise and a tick).
      out[name] = (req: unknown, call: unknown) => {
        try {
          return (fn(req, call) as Promise<unknown>).then(undefined, (error: unknown) => {
            throw fail(name, error);
          });
        } catch (error) {
          return Promise.reject(fail(name, error));
        }
      };
    }
  }
  return out as unknown as ChainHandlers;
}

/** A Connect call's {@link CallContext}: its signal and the principal auth found for it. */
export function callContextOf(ctx: HandlerContext): CallContext {
  return { signal: ctx.signal, principal: ctx.values.get(principalKey) };
}

/** The Connect service implementation: maps Connect's HandlerContext onto {@link CallContext}. */
export function chainServiceImpl(h: ChainHandlers): ServiceImpl<typeof ChainService> {
  const c = callContextOf;
  return {
    registerIpAsset: (req, ctx) => h.registerIpAsset(req, c(ctx)),
    isRegistered: (req, ctx) => h.isRegistered(req, c(ctx)),
    getIpAssetStatus: (req, ctx) => h.getIpAssetStatus(req, c(ctx)),
    batchRegisterIpAssets: (reqs, ctx) => h.batchRegisterIpAssets(reqs, c(ctx)),
    getRoyaltyConfiguration: (req, ctx) => h.getRoyaltyConfiguration(req, c(ctx)),
    updateRoyaltySplit: (req, ctx) => h.updateRoyaltySplit(req, c(ctx)),
    payRoyalties: (req, ctx) => h.payRoyalties(req, c(ctx)),
    getClaimableRoyalties: (req, ctx) => h.getClaimableRoyalties(req, c(ctx)),
    claimRoyalties: (req, ctx) => h.claimRoyalties(req, c(ctx)),
    watchTransactions: (req, ctx) => h.watchTransactions(req, c(ctx)),
    healthCheck: (req, ctx) => h.healthCheck(req, c(ctx)),
    getServiceInfo: (req, ctx) => h.getServiceInfo(req, c(ctx)),
  };
}
