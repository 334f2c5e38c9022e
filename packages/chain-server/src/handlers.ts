import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { codeToString } from '@connectrpc/connect/protocol-connect';
import {
  type BatchRegisterResponse,
  BatchRegisterResponseSchema,
  BatchRegisterResultSchema,
  ChainService,
  ClaimableBalanceSchema,
  type ClaimableRoyaltiesResponse,
  ClaimableRoyaltiesResponseSchema,
  type ClaimRoyaltiesRequest,
  ClaimRoyaltiesRequestSchema,
  type ClaimRoyaltiesResponse,
  ClaimRoyaltiesResponseSchema,
  type Contributor,
  ContributorSchema,
  ContributorType,
  type GetClaimableRoyaltiesRequest,
  type GetIpAssetStatusRequest,
  type GetRoyaltyConfigurationRequest,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
  IpAssetStatus,
  type IpAssetStatusResponse,
  IpAssetStatusResponseSchema,
  type IsRegisteredRequest,
  type IsRegisteredResponse,
  IsRegisteredResponseSchema,
  PaymentStatus,
  type PayRoyaltiesRequest,
  PayRoyaltiesRequestSchema,
  type PayRoyaltiesResponse,
  PayRoyaltiesResponseSchema,
  type RegisterIpAssetRequest,
  RegisterIpAssetRequestSchema,
  type RegisterIpAssetResponse,
  RegisterIpAssetResponseSchema,
  type RoyaltyConfigurationResponse,
  RoyaltyConfigurationResponseSchema,
  RoyaltyRecipientSchema,
  type ServiceInfoResponse,
  ServiceInfoResponseSchema,
  type TransactionUpdate,
  TransactionUpdateSchema,
  type UpdateRoyaltySplitRequest,
  UpdateRoyaltySplitRequestSchema,
  type UpdateRoyaltySplitResponse,
  UpdateRoyaltySplitResponseSchema,
  type WatchTransactionsRequest,
} from '@mystira/chain-protos';
import { type Principal, principalKey } from './auth.js';
import { toConnectError } from './connect-errors.js';
import { type IdempotencyStore, idempotentWrite, MemoryIdempotencyStore } from './idempotency.js';
import { ipServices } from './ip-services.js';
import type { AssetRecord, Ledger, Split, TxState } from './ledger.js';
import {
  badRequest,
  registerViolations,
  validateClaim,
  validateClaimable,
  validateId,
  validatePay,
  validateRegister,
  validateUpdateSplit,
  validateWatch,
} from './validation.js';
import { formatUnits } from './wei.js';

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
type Unary<I, O> = (req: I, call: CallContext) => Promise<O>;

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

function toContributor(s: Split): Contributor {
  return create(ContributorSchema, {
    walletAddress: s.wallet,
    contributorType: s.type,
    shareBasisPoints: s.shareBps,
    displayName: s.displayName,
  });
}

function toSplits(list: Contributor[]): Split[] {
  return list.map((c) => ({
    wallet: c.walletAddress.toLowerCase(),
    type: c.contributorType,
    shareBps: c.shareBasisPoints,
    displayName: c.displayName,
  }));
}

function paymentStatus(s: 'pending' | 'confirmed' | 'failed'): PaymentStatus {
  return s === 'pending'
    ? PaymentStatus.PENDING
    : s === 'confirmed'
      ? PaymentStatus.CONFIRMED
      : PaymentStatus.FAILED;
}

function registerResponse(asset: AssetRecord): RegisterIpAssetResponse {
  return create(RegisterIpAssetResponseSchema, {
    contentId: asset.contentId,
    ipAssetId: asset.ipAssetId,
    nftTokenId: asset.nftTokenId,
    registrationTxHash: asset.txHash,
    status: asset.status,
    registeredAt: asset.registeredAt && timestampFromDate(asset.registeredAt),
    errorMessage: asset.errorMessage,
  });
}

function txUpdate(state: TxState): TransactionUpdate {
  return create(TransactionUpdateSchema, {
    transactionHash: state.hash,
    status: state.status,
    confirmations: state.confirmations,
    errorMessage: state.errorMessage,
    timestamp: timestampFromDate(state.timestamp),
    blockHash: state.blockHash,
    blockNumber: state.blockNumber,
  });
}

/** ChainService's RPCs as GetServiceInfo has always named them: bare, e.g. "RegisterIpAsset". */
const CHAIN_OPERATIONS: readonly string[] = ChainService.methods.map((m) => m.name);

/**
 * The mystira.chain.ip.v1 RPCs, listed when the ledger has `ip`: qualified by their service
 * (`mystira.chain.ip.v1.CollectionService/CreateCollection`, as gRPC and the call spans name a
 * method), since they are not ChainService's; ChainService's own keep their bare names, which
 * clients already read.
 */
const IP_OPERATIONS: readonly string[] = ipServices.flatMap((s) =>
  s.methods.map((m) => `${s.typeName}/${m.name}`),
);

/** Creates the handlers of the 12 RPCs over a ledger. */
export function createChainHandlers(options: ChainHandlerOptions): ChainHandlers {
  const { ledger } = options;
  const store = options.idempotency ?? new MemoryIdempotencyStore();
  const limits: StreamLimits = { ...defaultStreamLimits, ...options.limits };
  const now = options.now ?? (() => new Date());
  const version = options.version ?? '0.0.0';
  const shutdown = options.shutdownSignal;

  /**
   * Runs `execute` at most once per (caller, method, key). The fingerprint is the SHA-256 of the
   * request without its idempotency key, so only the key may differ between retries' bytes.
   */
  function idempotent<I extends DescMessage, O extends DescMessage>(
    method: string,
    inSchema: I,
    req: MessageShape<I> & { idempotencyKey: string },
    outSchema: O,
    call: CallContext,
    execute: () => Promise<MessageShape<O>>,
  ): Promise<MessageShape<O>> {
    return idempotentWrite(store, call, { method, inSchema, req, outSchema, execute });
  }

  async function assetByIp(ipAssetId: string): Promise<AssetRecord> {
    const asset = await ledger.getAssetByIpId(ipAssetId);
    if (!asset) throw new ConnectError(`IP asset ${ipAssetId} not found`, Code.NotFound);
    return asset;
  }

  async function register(
    req: RegisterIpAssetRequest,
    call: CallContext,
  ): Promise<RegisterIpAssetResponse> {
    return idempotent(
      'RegisterIpAsset',
      RegisterIpAssetRequestSchema,
      req,
      RegisterIpAssetResponseSchema,
      call,
      async () =>
        registerResponse(
          await ledger.registerAsset(
            {
              contentId: req.contentId,
              title: req.contentTitle,
              contributors: toSplits(req.contributors),
              metadataUri: req.metadataUri,
              licenseTermsId: req.licenseTermsId,
            },
            call.signal,
          ),
        ),
    );
  }

  const handlers: ChainHandlers = {
    async registerIpAsset(req, call) {
      validateRegister(req);
      return register(req, call);
    },

    async isRegistered(req, _call) {
      validateId('content_id', req.contentId);
      const asset = await ledger.getAssetByContentId(req.contentId).catch((e: unknown) => {
        throw toConnectError(e);
      });
      const registered = asset?.status === IpAssetStatus.REGISTERED;
      return create(IsRegisteredResponseSchema, {
        contentId: req.contentId,
        isRegistered: registered,
        ipAssetId: registered ? asset?.ipAssetId : undefined,
      });
    },

    async getIpAssetStatus(req, _call) {
      validateId('content_id', req.contentId);
      const asset = await ledger.getAssetByContentId(req.contentId).catch((e: unknown) => {
        throw toConnectError(e);
      });
      if (!asset)
        throw new ConnectError(`content ${req.contentId} is not registered`, Code.NotFound);
      return create(IpAssetStatusResponseSchema, {
        contentId: asset.contentId,
        status: asset.status,
        ipAssetId: asset.ipAssetId,
        nftTokenId: asset.nftTokenId,
        transactionHash: asset.txHash,
        lastUpdated: timestampFromDate(asset.lastUpdated),
        contributors: asset.contributors.map(toContributor),
      });
    },

    async batchRegisterIpAssets(requests, call) {
      // Read the whole (bounded) stream first: an over-long stream is rejected before any item
      // executes, so the client never has to guess which items went through.
      const items: RegisterIpAssetRequest[] = [];
      for await (const item of withIdleTimeout(requests, limits.streamIdleTimeoutMs, call.signal)) {
        if (items.length >= limits.maxBatchItems) {
          throw new ConnectError(
            `a batch may hold at most ${limits.maxBatchItems} items; nothing was registered`,
            Code.ResourceExhausted,
          );
        }
        items.push(item);
      }
      const results = [];
      for (const item of items) {
        call.signal.throwIfAborted();
        const violations = registerViolations(item);
        if (violations.length > 0) {
          results.push(
            create(BatchRegisterResultSchema, {
              contentId: item.contentId,
              success: false,
              errorMessage: `INVALID_ARGUMENT: ${badRequest(violations).rawMessage}`,
            }),
          );
          continue;
        }
        try {
          const res = await register(item, call);
          const failed = res.status === IpAssetStatus.FAILED;
          results.push(
            create(BatchRegisterResultSchema, {
              contentId: item.contentId,
              success: !failed,
              ipAssetId: res.ipAssetId,
              transactionHash: res.registrationTxHash,
              errorMessage: res.errorMessage,
            }),
          );
        } catch (error) {
          const e = toConnectError(error);
          if (e.code === Code.Unavailable || e.code === Code.Canceled) throw e;
          results.push(
            create(BatchRegisterResultSchema, {
              contentId: item.contentId,
              success: false,
              errorMessage: `${codeToString(e.code).toUpperCase()}: ${e.rawMessage}`,
            }),
          );
        }
      }
      const successful = results.filter((r) => r.success).length;
      return create(BatchRegisterResponseSchema, {
        totalSubmitted: items.length,
        successful,
        failed: items.length - successful,
        results,
      });
    },

    async getRoyaltyConfiguration(req, _call) {
      validateId('ip_asset_id', req.ipAssetId);
      const asset = await assetByIp(req.ipAssetId).catch((e: unknown) => {
        throw toConnectError(e);
      });
      return create(RoyaltyConfigurationResponseSchema, {
        ipAssetId: asset.ipAssetId,
        royaltyModuleId: asset.royaltyModuleId,
        recipients: asset.contributors.map((c) =>
          create(RoyaltyRecipientSchema, {
            walletAddress: c.wallet,
            shareBasisPoints: c.shareBps,
            role: ContributorType[c.type] ?? 'UNSPECIFIED',
          }),
        ),
        lastUpdated: timestampFromDate(asset.royaltyUpdatedAt),
      });
    },

    async updateRoyaltySplit(req, call) {
      validateUpdateSplit(req);
      return idempotent(
        'UpdateRoyaltySplit',
        UpdateRoyaltySplitRequestSchema,
        req,
        UpdateRoyaltySplitResponseSchema,
        call,
        async () => {
          const update = await ledger.setRoyaltySplit(
            req.ipAssetId,
            toSplits(req.contributors),
            call.signal,
          );
          return create(UpdateRoyaltySplitResponseSchema, {
            ipAssetId: update.ipAssetId,
            transactionHash: update.txHash,
            success: update.errorMessage === undefined,
            errorMessage: update.errorMessage,
            contributors: update.contributors.map(toContributor),
          });
        },
      );
    },

    async payRoyalties(req, call) {
      const amountWei = validatePay(req);
      return idempotent(
        'PayRoyalties',
        PayRoyaltiesRequestSchema,
        req,
        PayRoyaltiesResponseSchema,
        call,
        async () => {
          const p = await ledger.payRoyalties(
            {
              ipAssetId: req.ipAssetId,
              amountWei,
              currencyToken: req.currencyToken,
              payerReference: req.payerReference,
            },
            call.signal,
          );
          return create(PayRoyaltiesResponseSchema, {
            ipAssetId: p.ipAssetId,
            transactionHash: p.txHash,
            amountWei: p.amountWei.toString(),
            currencyToken: p.currencyToken,
            status: paymentStatus(p.status),
            errorMessage: p.errorMessage,
            paymentId: p.paymentId,
            paidAt: timestampFromDate(p.paidAt),
          });
        },
      );
    },

    async getClaimableRoyalties(req, _call) {
      validateClaimable(req);
      const balances = await ledger
        .claimableBalances(req.walletAddress, req.ipAssetId)
        .catch((e: unknown) => {
          throw toConnectError(e);
        });
      return create(ClaimableRoyaltiesResponseSchema, {
        walletAddress: req.walletAddress.toLowerCase(),
        balances: balances.map((b) =>
          create(ClaimableBalanceSchema, {
            ipAssetId: b.ipAssetId,
            currencyToken: b.currencyToken,
            amountWei: b.amountWei.toString(),
            amountFormatted: formatUnits(b.amountWei, b.decimals),
          }),
        ),
        lastUpdated: timestampFromDate(now()),
      });
    },

    async claimRoyalties(req, call) {
      validateClaim(req);
      return idempotent(
        'ClaimRoyalties',
        ClaimRoyaltiesRequestSchema,
        req,
        ClaimRoyaltiesResponseSchema,
        call,
        async () => {
          const c = await ledger.claimRoyalties(
            {
              ipAssetId: req.ipAssetId,
              wallet: req.contributorWallet,
              currencyToken: req.currencyToken,
            },
            call.signal,
          );
          return create(ClaimRoyaltiesResponseSchema, {
            ipAssetId: c.ipAssetId,
            contributorWallet: c.wallet,
            transactionHash: c.txHash,
            amountClaimedWei: c.amountWei.toString(),
            status: paymentStatus(c.status),
            errorMessage: c.errorMessage,
            claimedAt: timestampFromDate(c.claimedAt),
          });
        },
      );
    },

    async *watchTransactions(req, call) {
      const hashes = validateWatch(req, limits.maxWatchedHashes);
      yield* watch(ledger, hashes, call.signal, shutdown, limits.streamIdleTimeoutMs);
    },

    async healthCheck(_req, _call) {
      const h = await ledger
        .health()
        .catch(() => ({ serving: false, details: { ledger: 'health check failed' } }));
      const serving = h.serving && !shutdown?.aborted;
      return create(HealthCheckResponseSchema, {
        status: serving
          ? HealthCheckResponse_ServingStatus.SERVING
          : HealthCheckResponse_ServingStatus.NOT_SERVING,
        version,
        timestamp: timestampFromDate(now()),
        details: { ...h.details, ...(shutdown?.aborted ? { server: 'shutting down' } : {}) },
      });
    },

    async getServiceInfo(_req, _call) {
      const info = ledger.info();
      return create(ServiceInfoResponseSchema, {
        serviceName: options.serviceName ?? 'mystira-chain-server',
        version,
        network: info.network,
        rpcEndpoint: info.rpcEndpoint,
        // A new array per response: a message is the caller's to change.
        supportedOperations: [...CHAIN_OPERATIONS, ...(ledger.ip ? IP_OPERATIONS : [])],
        contractAddresses: info.contractAddresses,
      });
    },
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
      out[name] = async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (error) {
          throw fail(name, error);
        }
      };
    }
  }
  return out as unknown as ChainHandlers;
}

/**
 * WatchTransactions. Listeners are attached before the current states are read, so no change is
 * missed in between. Updates wait in a map with one entry per hash (a newer state replaces an
 * unsent older one): however slow the reader, the buffer never holds more than one state per
 * watched hash. The listeners are removed when the stream ends for any reason.
 */
async function* watch(
  ledger: Ledger,
  hashes: string[],
  signal: AbortSignal,
  shutdown: AbortSignal | undefined,
  idleMs: number,
): AsyncGenerator<TransactionUpdate> {
  const buffer = new Map<string, TxState>();
  let wake: (() => void) | undefined;
  const unsubscribe = hashes.map((h) =>
    ledger.onTransaction(h, (state) => {
      buffer.set(h, state);
      wake?.();
    }),
  );
  try {
    for (const h of hashes) {
      const state = await ledger.getTransaction(h).catch((e: unknown) => {
        throw toConnectError(e);
      });
      if (!state) throw new ConnectError(`transaction ${h} not found`, Code.NotFound);
      // A change that arrived meanwhile is newer than what we just read; keep it.
      if (!buffer.has(h)) buffer.set(h, state);
    }
    const terminal = new Set<string>();
    for (;;) {
      while (buffer.size > 0) {
        const [h, state] = buffer.entries().next().value as [string, TxState];
        buffer.delete(h);
        if (terminal.has(h)) continue;
        if (state.terminal) terminal.add(h);
        yield txUpdate(state);
      }
      if (terminal.size === hashes.length) return;
      const outcome = await new Promise<'update' | 'abort' | 'shutdown' | 'idle'>((resolve) => {
        const done = (o: 'update' | 'abort' | 'shutdown' | 'idle') => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          shutdown?.removeEventListener('abort', onShutdown);
          wake = undefined;
          resolve(o);
        };
        const onAbort = () => done('abort');
        const onShutdown = () => done('shutdown');
        const timer = setTimeout(() => done('idle'), idleMs);
        if (signal.aborted) return done('abort');
        if (shutdown?.aborted) return done('shutdown');
        signal.addEventListener('abort', onAbort);
        shutdown?.addEventListener('abort', onShutdown);
        wake = () => done('update');
      });
      if (outcome === 'abort') return;
      if (outcome === 'shutdown')
        throw new ConnectError('server is shutting down; watch again', Code.Unavailable);
      if (outcome === 'idle') {
        throw new ConnectError(`no transaction update for ${idleMs} ms`, Code.DeadlineExceeded);
      }
    }
  } finally {
    for (const off of unsubscribe) off();
  }
}

/** Yields from `source`, failing with DEADLINE_EXCEEDED when no item arrives for `idleMs`. */
async function* withIdleTimeout<T>(
  source: AsyncIterable<T>,
  idleMs: number,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new ConnectError(`no stream message for ${idleMs} ms`, Code.DeadlineExceeded)),
          idleMs,
        );
      });
      try {
        const next = await Promise.race([it.next(), idle]);
        if (next.done) return;
        signal.throwIfAborted();
        yield next.value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    // Not awaited: an async generator queues return() behind a pending next(), which may never
    // settle while the client keeps its stream open; the call ending releases it.
    it.return?.()?.catch(() => {});
  }
}

/** The Connect service implementation: maps Connect's HandlerContext onto {@link CallContext}. */
export function chainServiceImpl(h: ChainHandlers): ServiceImpl<typeof ChainService> {
  const c = (ctx: HandlerContext): CallContext => ({
    signal: ctx.signal,
    principal: ctx.values.get(principalKey),
  });
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
