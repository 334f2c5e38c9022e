/**
 * A small in-memory ChainService for tests, served by connect-node on a real HTTP/2 (or HTTP/1.1)
 * socket on 127.0.0.1:0. It answers gRPC, gRPC-Web and Connect on one port, like the real server,
 * and exposes hooks to inject faults and to observe what arrived (headers, idempotency keys).
 */
import * as http from 'node:http';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { ChainProtocol } from '@mystira/chain-client';
import {
  ChainService,
  ContributorType,
  HealthCheckResponse_ServingStatus,
  IpAssetStatus,
  PaymentStatus,
  type RegisterIpAssetRequest,
  TransactionStatus,
  type TransactionUpdate,
  TransactionUpdateSchema,
} from '@mystira/chain-protos';
import { BadRequestSchema, RetryInfoSchema } from '@mystira/chain-protos/google-rpc';

export interface ObservedCall {
  method: string;
  headers: Headers;
  idempotencyKey?: string;
  timeoutMs: number | undefined;
}

/** State of one watched transaction, shared across server restarts (it lives in the test). */
export interface TxState {
  status: TransactionStatus;
  confirmations: bigint;
  /** The including block's hash once confirmed (default a fixed one). */
  blockHash?: string;
}

export class FakeLedger {
  readonly tx = new Map<string, TxState>();
  private listeners = new Set<(hash: string) => void>();
  /** Confirmations at which a CONFIRMED transaction is terminal. */
  finality = 3n;
  set(hash: string, state: TxState): void {
    this.tx.set(hash, state);
    for (const l of this.listeners) l(hash);
  }
  subscribe(l: (hash: string) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  terminal(s: TxState): boolean {
    return (
      s.status === TransactionStatus.FAILED ||
      (s.status === TransactionStatus.CONFIRMED && s.confirmations >= this.finality)
    );
  }
}

export interface FakeOptions {
  ledger?: FakeLedger;
  /** Runs before every handler; throw to inject a fault. */
  fault?: (method: string, ctx: HandlerContext, call: number) => void | Promise<void>;
  /** Called for every BatchRegister item as it is read. */
  onBatchItem?: (req: RegisterIpAssetRequest, index: number) => void | Promise<void>;
  withGrpcHealth?: boolean;
}

export const WALLET_A = `0x${'a'.repeat(40)}`;
export const WALLET_B = `0x${'b'.repeat(40)}`;

export function fakeRoutes(opts: FakeOptions, observed: ObservedCall[]) {
  const ledger = opts.ledger ?? new FakeLedger();
  const registrations = new Map<
    string,
    { contentId: string; ipAssetId: string; fingerprint: string }
  >();
  const calls = new Map<string, number>();
  const observe = async (method: string, ctx: HandlerContext, idempotencyKey?: string) => {
    const n = (calls.get(method) ?? 0) + 1;
    calls.set(method, n);
    const remaining = ctx.timeoutMs();
    observed.push({
      method,
      headers: new Headers(ctx.requestHeader),
      idempotencyKey,
      timeoutMs: remaining,
    });
    await opts.fault?.(method, ctx, n);
  };
  const now = () => timestampFromDate(new Date('2026-01-02T03:04:05.678Z'));
  const badRequest = (field: string, description: string) =>
    new ConnectError(`invalid ${field}`, Code.InvalidArgument, undefined, [
      {
        desc: BadRequestSchema,
        value: { fieldViolations: [{ field, description, reason: 'INVALID' }] },
      },
      { desc: RetryInfoSchema, value: { retryDelay: { seconds: 0n, nanos: 0 } } },
    ]);

  return (router: ConnectRouter) => {
    router.service(ChainService, {
      async registerIpAsset(req, ctx) {
        await observe('RegisterIpAsset', ctx, req.idempotencyKey);
        const sum = req.contributors.reduce((s, c) => s + c.shareBasisPoints, 0);
        if (sum !== 10000) throw badRequest('contributors', `shares sum to ${sum}, not 10000`);
        const fingerprint = `${req.contentId}|${req.contentTitle}`;
        const prev = registrations.get(req.idempotencyKey);
        if (prev && prev.fingerprint !== fingerprint) {
          throw new ConnectError(
            'idempotency key reused with a different request',
            Code.FailedPrecondition,
          );
        }
        const reg = prev ?? {
          contentId: req.contentId,
          ipAssetId: `ip-${registrations.size + 1}`,
          fingerprint,
        };
        registrations.set(req.idempotencyKey, reg);
        return {
          contentId: reg.contentId,
          ipAssetId: reg.ipAssetId,
          registrationTxHash: `0x${'1'.repeat(64)}`,
          status: IpAssetStatus.REGISTERED,
          registeredAt: now(),
        };
      },
      async isRegistered(req, ctx) {
        await observe('IsRegistered', ctx);
        const reg = [...registrations.values()].find((r) => r.contentId === req.contentId);
        return reg
          ? { contentId: req.contentId, isRegistered: true, ipAssetId: reg.ipAssetId }
          : { contentId: req.contentId };
      },
      async getIpAssetStatus(req, ctx) {
        await observe('GetIpAssetStatus', ctx);
        if (req.contentId === 'missing') throw new ConnectError('no such content', Code.NotFound);
        return {
          contentId: req.contentId,
          status: IpAssetStatus.PROCESSING,
          lastUpdated: now(),
          contributors: [
            {
              walletAddress: WALLET_A,
              contributorType: ContributorType.AUTHOR,
              shareBasisPoints: 10000,
              displayName: 'Ann',
            },
          ],
        };
      },
      async batchRegisterIpAssets(reqs, ctx) {
        await observe('BatchRegisterIpAssets', ctx);
        const results = [];
        let i = 0;
        for await (const r of reqs) {
          await opts.onBatchItem?.(r, i++);
          results.push({ contentId: r.contentId, success: true, ipAssetId: `ip-b-${i}` });
        }
        return { totalSubmitted: results.length, successful: results.length, failed: 0, results };
      },
      async getRoyaltyConfiguration(req, ctx) {
        await observe('GetRoyaltyConfiguration', ctx);
        return {
          ipAssetId: req.ipAssetId,
          royaltyModuleId: 'module-1',
          recipients: [{ walletAddress: WALLET_A, shareBasisPoints: 10000, role: 'author' }],
          lastUpdated: now(),
        };
      },
      async updateRoyaltySplit(req, ctx) {
        await observe('UpdateRoyaltySplit', ctx, req.idempotencyKey);
        return {
          ipAssetId: req.ipAssetId,
          success: true,
          transactionHash: `0x${'2'.repeat(64)}`,
          contributors: req.contributors,
        };
      },
      async payRoyalties(req, ctx) {
        await observe('PayRoyalties', ctx, req.idempotencyKey);
        if (req.amountWei === '0') throw badRequest('amount_wei', 'must be positive');
        return {
          ipAssetId: req.ipAssetId,
          amountWei: req.amountWei,
          currencyToken: req.currencyToken,
          status: PaymentStatus.CONFIRMED,
          paymentId: 'pay-1',
          paidAt: now(),
        };
      },
      async getClaimableRoyalties(req, ctx) {
        await observe('GetClaimableRoyalties', ctx);
        return {
          walletAddress: req.walletAddress,
          balances: [
            {
              ipAssetId: req.ipAssetId ?? 'ip-1',
              currencyToken: `0x${'0'.repeat(40)}`,
              amountWei:
                '115792089237316195423570985008687907853269984665640564039457584007913129639935',
              amountFormatted: '1.5',
            },
          ],
          lastUpdated: now(),
        };
      },
      async claimRoyalties(req, ctx) {
        await observe('ClaimRoyalties', ctx, req.idempotencyKey);
        return {
          ipAssetId: req.ipAssetId,
          contributorWallet: req.contributorWallet,
          amountClaimedWei: '1000000000000000000',
          status: PaymentStatus.PENDING,
        };
      },
      async *watchTransactions(req, ctx) {
        await observe('WatchTransactions', ctx);
        const hashes = [...new Set(req.transactionHashes)];
        const queue: string[] = [...hashes];
        let wake: (() => void) | undefined;
        const unsubscribe = ledger.subscribe((h) => {
          if (hashes.includes(h)) {
            queue.push(h);
            wake?.();
          }
        });
        const done = new Set<string>();
        try {
          while (done.size < hashes.length) {
            const h = queue.shift();
            if (h === undefined) {
              await new Promise<void>((resolve, reject) => {
                wake = resolve;
                ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), {
                  once: true,
                });
              });
              wake = undefined;
              continue;
            }
            const s = ledger.tx.get(h) ?? { status: TransactionStatus.PENDING, confirmations: 0n };
            const update: TransactionUpdate = create(TransactionUpdateSchema, {
              transactionHash: h,
              status: s.status,
              confirmations: s.confirmations,
              timestamp: now(),
              ...(s.confirmations > 0n
                ? {
                    blockNumber: 100n + s.confirmations,
                    blockHash: s.blockHash ?? `0x${'3'.repeat(64)}`,
                  }
                : {}),
            });
            yield update;
            if (ledger.terminal(s)) done.add(h);
          }
        } finally {
          unsubscribe();
        }
      },
      async healthCheck(_req, ctx) {
        await observe('HealthCheck', ctx);
        return {
          status: HealthCheckResponse_ServingStatus.SERVING,
          version: '1.2.3',
          timestamp: now(),
          details: { ledger: 'fake' },
        };
      },
      async getServiceInfo(_req, ctx) {
        await observe('GetServiceInfo', ctx);
        return {
          serviceName: 'fake-chain',
          version: '1.2.3',
          network: 'devnet',
          rpcEndpoint: 'memory://',
          supportedOperations: ['RegisterIpAsset'],
          contractAddresses: { registry: WALLET_B },
        };
      },
    });
  };
}

export interface RunningServer {
  url: string;
  port: number;
  observed: ObservedCall[];
  /** Graceful close. */
  close(): Promise<void>;
  /** Destroys every open socket at once: what a crashed process looks like to the client. */
  kill(): Promise<void>;
}

/**
 * Serves `routes` on 127.0.0.1. HTTP/2 cleartext by default (gRPC needs it); `http1` for a
 * browser-facing Connect server with CORS. `port` re-binds a fixed port (restart tests).
 */
export async function serve(
  routes: (router: ConnectRouter) => void,
  options: { http1?: boolean; cors?: boolean; port?: number; observed?: ObservedCall[] } = {},
): Promise<RunningServer> {
  const adapter = connectNodeAdapter({ routes });
  const cors = (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ) => {
    if (!options.cors) return false;
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-methods', 'POST, GET, OPTIONS');
    res.setHeader(
      'access-control-allow-headers',
      'content-type, connect-protocol-version, connect-timeout-ms, x-grpc-web, x-user-agent, grpc-timeout, x-api-key, authorization, traceparent',
    );
    res.setHeader(
      'access-control-expose-headers',
      'grpc-status, grpc-message, grpc-status-details-bin',
    );
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      res.end();
      return true;
    }
    return false;
  };
  const sockets = new Set<import('node:net').Socket>();
  const server = options.http1
    ? http.createServer((req, res) => {
        if (!cors(req, res)) adapter(req, res);
      })
    : http2.createServer((req, res) => {
        if (!cors(req, res)) adapter(req, res);
      });
  server.on('connection', (s: import('node:net').Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    observed: options.observed ?? [],
    close,
    kill: close,
  };
}

export async function serveFake(
  opts: FakeOptions = {},
  serverOptions: Parameters<typeof serve>[1] = {},
): Promise<RunningServer> {
  const observed = serverOptions.observed ?? [];
  return serve(fakeRoutes(opts, observed), { ...serverOptions, observed });
}

/**
 * The client's ways to the server, as `[label, protocol, leanUnary]`: 'grpc' unary calls take the
 * client's lean HTTP/2 path; 'grpc/connect-transport' turns it off, so both implementations are
 * held to the same expectations.
 */
export const CLIENT_PATHS: [label: string, protocol: ChainProtocol, leanUnary: boolean][] = [
  ['grpc', 'grpc', true],
  ['grpc/connect-transport', 'grpc', false],
  ['grpc-web', 'grpc-web', true],
  ['connect', 'connect', true],
];

export const contributors = [
  { walletAddress: WALLET_A, role: 'author' as const, shareBasisPoints: 6000, displayName: 'Ann' },
  { walletAddress: WALLET_B, role: 'artist' as const, shareBasisPoints: 4000 },
];
