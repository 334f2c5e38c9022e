/**
 * The facade shared by the Node and web entries. It owns no sockets: the entry passes a factory
 * that builds one Connect transport per protocol, and the facade picks one per call, so a
 * feature-flag function can move traffic between gRPC, gRPC-Web and Connect at runtime.
 */
import type {
  DescMessage,
  DescMethodUnary,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';
import {
  type Client,
  Code,
  createClient,
  type Interceptor,
  type Transport,
} from '@connectrpc/connect';
import { ChainService, type RegisterIpAssetRequestSchema } from '@mystira/chain-protos';
import { Health, HealthCheckResponse_ServingStatus } from '@mystira/health';
import { sleep } from './abort.js';
import { authInterceptor, type ChainAuth } from './auth.js';
import {
  assetStatusFromWire,
  type BatchRegisterSummary,
  batchSummaryFromWire,
  type ChainHealth,
  type ClaimableRoyalties,
  type ClaimRoyaltiesInput,
  claimableFromWire,
  claimFromWire,
  contributorToWire,
  type GetClaimableRoyaltiesInput,
  healthFromWire,
  type IpAssetRegistration,
  type IpAssetStatusInfo,
  NATIVE_CURRENCY,
  type PayRoyaltiesInput,
  paymentFromWire,
  type RegisterIpAssetInput,
  type RegistrationCheck,
  type RoyaltyClaim,
  type RoyaltyConfiguration,
  type RoyaltyPayment,
  type RoyaltySplitUpdate,
  registrationCheckFromWire,
  registrationFromWire,
  royaltyConfigurationFromWire,
  type ServiceInfo,
  serviceInfoFromWire,
  splitUpdateFromWire,
  type TransactionStatusChange,
  type UpdateRoyaltySplitInput,
} from './convert.js';
import { ChainNotReadyError, ChainUnsupportedError, toChainError } from './errors.js';
import { createIpClient, type IpClient } from './ip-client.js';
import {
  type BreakerOptions,
  type CallPolicy,
  type CircuitState,
  createCallPolicy,
  type HedgingOptions,
  type PolicyOptions,
  type RetryOptions,
} from './policy.js';
import { uuidv7 } from './uuidv7.js';
import { resumableWatch, type WatchOptions } from './watch.js';
import { weiToWire } from './wire.js';

/** `connect` is Connect's JSON-over-HTTP protocol: the REST-style path, curl- and proxy-friendly. */
export type ChainProtocol = 'grpc' | 'grpc-web' | 'connect';

/** Options of `createChainClient` (both entries). */
export interface ChainClientOptions {
  /** e.g. `https://chain.internal:8443`. */
  baseUrl: string;
  /**
   * The wire protocol, or a function asked on every call (a feature flag). One transport per
   * protocol is kept, so switching costs nothing and needs no new client. Default `grpc` in Node,
   * `connect` in the browser.
   */
  protocol?: ChainProtocol | (() => ChainProtocol);
  /** Budget of each call in ms, retries included, sent to the server as its deadline. Default 10 000. */
  timeoutMs?: number;
  /** Cap on one attempt's deadline, so a hung attempt is retried within `timeoutMs`. Default none. */
  attemptTimeoutMs?: number;
  /** Retries of transient failures for reads and keyed writes; `false` turns them off. */
  retry?: RetryOptions | false;
  /** Circuit breaker for the endpoint; `false` turns it off. */
  breaker?: BreakerOptions | false;
  /** Opt-in hedging of read RPCs. Per call: `{ hedge: true | false }`. */
  hedging?: HedgingOptions;
  /** How calls authenticate. Default: none. */
  auth?: ChainAuth;
  /** Extra interceptors (e.g. `otelInterceptor()` from `@mystira/chain-client/otel`), run after auth. */
  interceptors?: Interceptor[];
  /** Headers sent with every call. */
  headers?: Record<string, string>;
  /** Idempotency keys for writes when the caller passes none. Default UUIDv7. */
  generateIdempotencyKey?: () => string;
  /** Reconnect policy of `watchTransactions`. */
  watch?: Omit<WatchOptions, 'signal'>;
  /** Test hooks and retry observation for the call policy. */
  policy?: Pick<PolicyOptions, 'now' | 'onRetry' | 'events'>;
}

/** Options of one unary call. */
export interface CallOptions {
  /** Cancels the call, including any retry or backoff in progress. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Headers sent with this call, on top of the client's. */
  headers?: Record<string, string>;
  /** Hedge this read (needs nothing else; `hedging` only tunes it). Default: on when `hedging` is set. */
  hedge?: boolean;
  /** `false` disables retries for this call. */
  retry?: boolean;
}

/** Options of a streaming call (`batchRegister`, `watchTransactions`). */
export interface StreamCallOptions {
  /** Cancels the stream. */
  signal?: AbortSignal;
  /** Deadline of the whole stream in ms. Default none: streams may be long-lived. */
  timeoutMs?: number;
  /** Headers sent with this call, on top of the client's. */
  headers?: Record<string, string>;
}

/** Options of {@link ChainClient.ready}. */
export interface ReadyOptions {
  /** Stops waiting. */
  signal?: AbortSignal;
  /** Give up after this long. Default 30 000 ms. */
  timeoutMs?: number;
  /** First poll interval, doubling up to 2 s. Default 100 ms. */
  intervalMs?: number;
}

/** The generated Connect client for power users (shares the client's transports and protocol switch). */
export type RawChainClient = Client<typeof ChainService>;

/**
 * The typed Chain client (`createChainClient`): one method per RPC with plain inputs and results,
 * typed errors ({@link ChainError}), deadlines, safe retries and a circuit breaker.
 */
export interface ChainClient {
  /**
   * Registers a piece of content as an IP asset. Returns at once (status pending or processing);
   * follow the transaction with `watchTransactions`. Retried safely: the write carries an
   * idempotency key.
   */
  registerIpAsset(input: RegisterIpAssetInput, options?: CallOptions): Promise<IpAssetRegistration>;
  /** Whether the content id has an IP asset, e.g. `if (await chain.isRegistered(id))`. */
  isRegistered(contentId: string, options?: CallOptions): Promise<boolean>;
  /** The same question with the answer's details: `{ contentId, registered, ipAssetId? }`. */
  checkRegistration(contentId: string, options?: CallOptions): Promise<RegistrationCheck>;
  /** Where the registration of a piece of content stands. */
  getIpAssetStatus(contentId: string, options?: CallOptions): Promise<IpAssetStatusInfo>;
  /**
   * Registers many assets over one client stream. Items are pulled from `items` only as fast as
   * the connection drains (HTTP/2 flow control), so a huge or endless source never piles up in
   * memory. Not retried: a consumed stream cannot be replayed; each item carries its own
   * idempotency key, so re-running a failed batch is safe. Node only (needs HTTP/2).
   */
  batchRegister(
    items: Iterable<RegisterIpAssetInput> | AsyncIterable<RegisterIpAssetInput>,
    options?: StreamCallOptions,
  ): Promise<BatchRegisterSummary>;
  /** How an IP asset's royalties are split. */
  getRoyaltyConfiguration(ipAssetId: string, options?: CallOptions): Promise<RoyaltyConfiguration>;
  /** Replaces an IP asset's royalty split (a transaction; idempotent by key). */
  updateRoyaltySplit(
    input: UpdateRoyaltySplitInput,
    options?: CallOptions,
  ): Promise<RoyaltySplitUpdate>;
  /**
   * Pays royalties to an IP asset, split among its recipients (a transaction; idempotent by key).
   */
  payRoyalties(input: PayRoyaltiesInput, options?: CallOptions): Promise<RoyaltyPayment>;
  /** The royalties a wallet can claim. */
  getClaimableRoyalties(
    input: GetClaimableRoyaltiesInput,
    options?: CallOptions,
  ): Promise<ClaimableRoyalties>;
  /**
   * Pays out a contributor's claimable royalties from one IP asset (a transaction; idempotent by
   * key).
   */
  claimRoyalties(input: ClaimRoyaltiesInput, options?: CallOptions): Promise<RoyaltyClaim>;
  /** Every status change of the given transactions, once each, across reconnects; ends when all are terminal. */
  watchTransactions(
    hashes: readonly string[],
    options?: StreamCallOptions & Omit<WatchOptions, 'signal'>,
  ): AsyncIterable<TransactionStatusChange>;
  /** The contract's own HealthCheck RPC. */
  healthCheck(options?: CallOptions): Promise<ChainHealth>;
  /** The service's version, network, endpoints and contracts. */
  getServiceInfo(options?: CallOptions): Promise<ServiceInfo>;
  /**
   * Asks grpc.health.v1 about `mystira.chain.v1.ChainService`, falling back to the contract's
   * HealthCheck when the server does not implement grpc.health.v1.
   */
  checkHealth(options?: CallOptions): Promise<ChainHealth['status']>;
  /** Resolves once the service reports SERVING; rejects with ChainNotReadyError after `timeoutMs`. */
  ready(options?: ReadyOptions): Promise<void>;
  /** The endpoint's circuit breaker state. */
  circuitState(): CircuitState;
  /** The protocol the next call will use. */
  protocol(): ChainProtocol;
  /**
   * Collections, license terms, license tokens and derivatives: the `mystira.chain.ip.v1`
   * services, with the same deadlines, retries, keys and errors as the methods above.
   */
  readonly ip: IpClient;
  /** The generated Connect client, for what the facade does not cover. */
  readonly raw: RawChainClient;
  /** Closes pooled connections (Node). Calls after close open new ones. */
  close(): void;
}

/** Built by each entry: one transport for a protocol, with the given interceptors. */
export type TransportFactory = (protocol: ChainProtocol, interceptors: Interceptor[]) => Transport;

export interface CoreHooks {
  createTransport: TransportFactory;
  defaultProtocol: ChainProtocol;
  supportsClientStreaming: boolean;
  close?: () => void;
}

const SERVICE_NAME = ChainService.typeName;

export function createCoreClient(options: ChainClientOptions, hooks: CoreHooks): ChainClient {
  const interceptors: Interceptor[] = [];
  if (options.auth) interceptors.push(authInterceptor(options.auth));
  if (options.interceptors) interceptors.push(...options.interceptors);
  const configured = options.protocol ?? hooks.defaultProtocol;
  const pick: () => ChainProtocol =
    typeof configured === 'function' ? configured : () => configured;
  const transports = new Map<ChainProtocol, Transport>();
  const transportFor = (p: ChainProtocol): Transport => {
    let t = transports.get(p);
    if (!t) {
      if (p !== 'grpc' && p !== 'grpc-web' && p !== 'connect')
        throw new TypeError(`unknown protocol "${String(p)}"`);
      t = hooks.createTransport(p, interceptors);
      transports.set(p, t);
    }
    return t;
  };
  // One Transport that asks the flag per call: the raw client and the facade both use it.
  const switching: Transport = {
    unary: (method, signal, timeoutMs, header, input, ctx) =>
      transportFor(pick()).unary(method, signal, timeoutMs, header, input, ctx),
    stream: (method, signal, timeoutMs, header, input, ctx) =>
      transportFor(pick()).stream(method, signal, timeoutMs, header, input, ctx),
  };
  const raw = createClient(ChainService, switching);
  const policy: CallPolicy = createCallPolicy(options.baseUrl, {
    retry: options.retry,
    breaker: options.breaker,
    hedging: options.hedging,
    attemptTimeoutMs: options.attemptTimeoutMs,
    ...options.policy,
  });
  const defaultTimeoutMs = options.timeoutMs ?? 10_000;
  const hedgeReads = options.hedging !== undefined;
  const newKey = options.generateIdempotencyKey ?? uuidv7;
  const staticHeaders = options.headers;

  const headersFor = (
    extra: Record<string, string> | undefined,
  ): Record<string, string> | undefined =>
    extra ? (staticHeaders ? { ...staticHeaders, ...extra } : extra) : staticHeaders;

  function unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    opts: CallOptions | undefined,
    read: boolean,
    idempotencyKey?: string,
  ): Promise<MessageShape<O>> {
    const header = headersFor(opts?.headers);
    return policy.execute(
      {
        rpc: method.name,
        signal: opts?.signal,
        timeoutMs: opts?.timeoutMs ?? defaultTimeoutMs,
        // Reads may always be repeated; a write only when it carries an idempotency key (the
        // facade generates one unless the caller passed their own — an empty key opts out).
        retryable: opts?.retry !== false && (read || !!idempotencyKey),
        hedge: read && (opts?.hedge ?? hedgeReads),
      },
      async (ctx) =>
        (await switching.unary(method, ctx.signal, ctx.timeoutMs, header, input)).message,
    );
  }

  const M = ChainService.method;
  let healthMode: 'grpc-health' | 'contract' | undefined;

  function direct<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    opts: CallOptions | undefined,
  ): Promise<MessageShape<O>> {
    return switching
      .unary(
        method,
        opts?.signal,
        opts?.timeoutMs ?? defaultTimeoutMs,
        headersFor(opts?.headers),
        input,
      )
      .then((r) => r.message);
  }

  /** grpc.health.v1 first, the contract's HealthCheck when the server has no grpc.health.v1. */
  async function healthStatus(
    opts: CallOptions | undefined,
    withPolicy: boolean,
  ): Promise<ChainHealth['status']> {
    if (healthMode !== 'contract') {
      try {
        const res = withPolicy
          ? await unary(Health.method.check, { service: SERVICE_NAME }, opts, true)
          : await direct(Health.method.check, { service: SERVICE_NAME }, opts);
        healthMode = 'grpc-health';
        switch (res.status) {
          case HealthCheckResponse_ServingStatus.SERVING:
            return 'serving';
          case HealthCheckResponse_ServingStatus.NOT_SERVING:
            return 'not_serving';
          default:
            return 'unknown';
        }
      } catch (err) {
        const ce = toChainError(err, 'Check');
        // A server without grpc.health.v1 answers UNIMPLEMENTED; one that does not know the
        // service name answers NOT_FOUND. Either way the contract's HealthCheck decides.
        if (ce.code !== Code.Unimplemented && ce.code !== Code.NotFound) throw ce;
        if (ce.code === Code.Unimplemented) healthMode = 'contract';
      }
    }
    const res = withPolicy
      ? await unary(M.healthCheck, {}, opts, true)
      : await direct(M.healthCheck, {}, opts);
    return healthFromWire(res).status;
  }

  const client: ChainClient = {
    raw,
    ip: createIpClient(unary, switching, newKey),
    protocol: pick,
    circuitState: () => policy.circuitState(),
    close: () => hooks.close?.(),

    async registerIpAsset(input, opts) {
      const key = input.idempotencyKey ?? newKey();
      const msg: MessageInitShape<typeof RegisterIpAssetRequestSchema> = {
        contentId: input.contentId,
        contentTitle: input.contentTitle,
        contributors: input.contributors.map(contributorToWire),
        idempotencyKey: key,
      };
      if (input.metadataUri !== undefined) msg.metadataUri = input.metadataUri;
      if (input.licenseTermsId !== undefined) msg.licenseTermsId = input.licenseTermsId;
      return registrationFromWire(await unary(M.registerIpAsset, msg, opts, false, key), key);
    },
    async isRegistered(contentId, opts) {
      return (await unary(M.isRegistered, { contentId }, opts, true)).isRegistered;
    },
    async checkRegistration(contentId, opts) {
      return registrationCheckFromWire(await unary(M.isRegistered, { contentId }, opts, true));
    },
    async getIpAssetStatus(contentId, opts) {
      return assetStatusFromWire(await unary(M.getIpAssetStatus, { contentId }, opts, true));
    },
    async getRoyaltyConfiguration(ipAssetId, opts) {
      return royaltyConfigurationFromWire(
        await unary(M.getRoyaltyConfiguration, { ipAssetId }, opts, true),
      );
    },
    async updateRoyaltySplit(input, opts) {
      const key = input.idempotencyKey ?? newKey();
      const msg = {
        ipAssetId: input.ipAssetId,
        contributors: input.contributors.map(contributorToWire),
        idempotencyKey: key,
      };
      return splitUpdateFromWire(await unary(M.updateRoyaltySplit, msg, opts, false, key), key);
    },
    async payRoyalties(input, opts) {
      const key = input.idempotencyKey ?? newKey();
      const msg = {
        ipAssetId: input.ipAssetId,
        amountWei: weiToWire(input.amountWei, 'amount_wei'),
        currencyToken: input.currencyToken ?? NATIVE_CURRENCY,
        idempotencyKey: key,
        ...(input.payerReference !== undefined ? { payerReference: input.payerReference } : {}),
      };
      return paymentFromWire(await unary(M.payRoyalties, msg, opts, false, key), key);
    },
    async getClaimableRoyalties(input, opts) {
      const msg = {
        walletAddress: input.walletAddress,
        ...(input.ipAssetId !== undefined ? { ipAssetId: input.ipAssetId } : {}),
      };
      return claimableFromWire(await unary(M.getClaimableRoyalties, msg, opts, true));
    },
    async claimRoyalties(input, opts) {
      const key = input.idempotencyKey ?? newKey();
      const msg = {
        ipAssetId: input.ipAssetId,
        contributorWallet: input.contributorWallet,
        currencyToken: input.currencyToken ?? NATIVE_CURRENCY,
        idempotencyKey: key,
      };
      return claimFromWire(await unary(M.claimRoyalties, msg, opts, false, key), key);
    },
    async healthCheck(opts) {
      return healthFromWire(await unary(M.healthCheck, {}, opts, true));
    },
    async getServiceInfo(opts) {
      return serviceInfoFromWire(await unary(M.getServiceInfo, {}, opts, true));
    },

    async batchRegister(items, opts) {
      if (!hooks.supportsClientStreaming) {
        throw new ChainUnsupportedError({
          code: Code.Unimplemented,
          message:
            'batchRegister needs client streaming over HTTP/2: use @mystira/chain-client in Node',
          rpc: 'BatchRegisterIpAssets',
        });
      }
      async function* wire() {
        for await (const input of items) {
          const msg: MessageInitShape<typeof RegisterIpAssetRequestSchema> = {
            contentId: input.contentId,
            contentTitle: input.contentTitle,
            contributors: input.contributors.map(contributorToWire),
            idempotencyKey: input.idempotencyKey ?? newKey(),
          };
          if (input.metadataUri !== undefined) msg.metadataUri = input.metadataUri;
          if (input.licenseTermsId !== undefined) msg.licenseTermsId = input.licenseTermsId;
          yield msg;
        }
      }
      const header = headersFor(opts?.headers);
      const res = await policy.execute(
        {
          rpc: 'BatchRegisterIpAssets',
          signal: opts?.signal,
          timeoutMs: opts?.timeoutMs,
          retryable: false,
          hedge: false,
        },
        (ctx) =>
          raw.batchRegisterIpAssets(wire(), {
            signal: ctx.signal,
            timeoutMs: ctx.timeoutMs,
            headers: header,
          }),
      );
      return batchSummaryFromWire(res);
    },

    watchTransactions(hashes, opts = {}) {
      const header = headersFor(opts.headers);
      const watchOptions: WatchOptions = { ...options.watch, ...opts };
      return resumableWatch(
        hashes,
        (pending, signal) =>
          raw.watchTransactions(
            { transactionHashes: pending },
            { signal, timeoutMs: opts.timeoutMs, headers: header },
          ),
        watchOptions,
      );
    },

    checkHealth: (opts) => healthStatus(opts, true),

    async ready(opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 30_000;
      const started = Date.now();
      let interval = opts.intervalMs ?? 100;
      let last = 'no answer';
      for (;;) {
        const remaining = timeoutMs - (Date.now() - started);
        if (remaining <= 0) {
          throw new ChainNotReadyError({
            code: Code.Unavailable,
            message: `${options.baseUrl} not ready after ${timeoutMs} ms (last: ${last})`,
          });
        }
        try {
          // Straight to the transport: polling a server that is still starting must not trip the breaker.
          const status = await healthStatus(
            { signal: opts.signal, timeoutMs: Math.min(remaining, 2000) },
            false,
          );
          if (status === 'serving') return;
          last = status;
        } catch (err) {
          const ce = toChainError(err);
          if (opts.signal?.aborted) throw ce;
          last = `${ce.codeName}: ${ce.message}`;
        }
        try {
          await sleep(
            Math.min(interval, Math.max(0, timeoutMs - (Date.now() - started))),
            opts.signal,
          );
        } catch (abort) {
          throw toChainError(abort);
        }
        interval = Math.min(interval * 2, 2000);
      }
    },
  };
  return client;
}
