import {
  type Client,
  type Code,
  ConnectError,
  createClient,
  type Transport,
} from '@connectrpc/connect';
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import { ChainService, ContributorType, IpAssetStatus } from '@mystira/chain-protos';
import {
  type ChainServer,
  type ChainServerOptions,
  createChainServer,
  DevnetLedger,
  hashApiKey,
} from '@mystira/chain-server';

export const WALLET_A = '0x1111111111111111111111111111111111111111';
export const WALLET_B = '0x2222222222222222222222222222222222222222';
export const WALLET_C = '0x3333333333333333333333333333333333333333';
export const NATIVE = '0x0000000000000000000000000000000000000000';

export interface Running {
  server: ChainServer;
  ledger: DevnetLedger;
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts a server on a free port over a devnet mined by hand (blockIntervalMs 0). */
export async function startServer(
  options: Partial<ChainServerOptions> & { confirmations?: number } = {},
): Promise<Running> {
  const ledger =
    (options.ledger as DevnetLedger | undefined) ??
    new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: options.confirmations ?? 2 });
  const server = createChainServer({ ...options, ledger });
  const { port } = await server.listen(0);
  return {
    server,
    ledger,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => server.close({ deadlineMs: 2000 }),
  };
}

export type Protocol = 'grpc' | 'grpc-web' | 'connect-json' | 'connect-binary';
export const protocols: Protocol[] = ['grpc', 'grpc-web', 'connect-json', 'connect-binary'];

export function transportFor(
  protocol: Protocol,
  baseUrl: string,
  headers?: Record<string, string>,
): Transport {
  const interceptors = headers
    ? [
        (next: Parameters<import('@connectrpc/connect').Interceptor>[0]) =>
          async (req: Parameters<typeof next>[0]) => {
            for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
            return next(req);
          },
      ]
    : [];
  switch (protocol) {
    case 'grpc':
      return createGrpcTransport({ baseUrl, interceptors });
    case 'grpc-web':
      return createGrpcWebTransport({ baseUrl, httpVersion: '1.1', interceptors });
    case 'connect-json':
      return createConnectTransport({
        baseUrl,
        httpVersion: '1.1',
        useBinaryFormat: false,
        interceptors,
      });
    case 'connect-binary':
      return createConnectTransport({
        baseUrl,
        httpVersion: '2',
        useBinaryFormat: true,
        interceptors,
      });
  }
}

export function clientFor(
  protocol: Protocol,
  baseUrl: string,
  headers?: Record<string, string>,
): Client<typeof ChainService> {
  return createClient(ChainService, transportFor(protocol, baseUrl, headers));
}

/** The API keys of the auth tests: `read-key` may read, `write-key` may read and write. */
export const READ_WRITE_KEYS = [
  { id: 'reader', sha256: hashApiKey('read-key'), scopes: ['chain:read'] },
  { id: 'writer', sha256: hashApiKey('write-key'), scopes: ['chain:read', 'chain:write'] },
];

/** The gRPC code a call fails with, or `'ok'` when it succeeds. */
export async function codeOf(p: Promise<unknown>): Promise<Code | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return ConnectError.from(e).code;
  }
}

let counter = 0;
export function unique(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

export function registration(contentId = unique('content'), key = unique('key')) {
  return {
    contentId,
    contentTitle: `Title of ${contentId}`,
    contributors: [
      { walletAddress: WALLET_A, contributorType: ContributorType.AUTHOR, shareBasisPoints: 7000 },
      {
        walletAddress: WALLET_B,
        contributorType: ContributorType.ARTIST,
        shareBasisPoints: 3000,
        displayName: 'B',
      },
    ],
    idempotencyKey: key,
  };
}

/** Registers and mines until REGISTERED; returns the IP asset id. */
export async function registeredAsset(
  client: Client<typeof ChainService>,
  ledger: DevnetLedger,
): Promise<string> {
  const res = await client.registerIpAsset(registration());
  ledger.mine(ledger.requiredConfirmations);
  const status = await client.getIpAssetStatus({ contentId: res.contentId });
  if (status.status !== IpAssetStatus.REGISTERED) throw new Error('not registered');
  return res.ipAssetId as string;
}

/** One gRPC-framed message. */
export function grpcFrame(bytes: Uint8Array, compressed = false): Buffer {
  const frame = Buffer.alloc(5 + bytes.length);
  frame[0] = compressed ? 1 : 0;
  frame.writeUInt32BE(bytes.length, 1);
  frame.set(bytes, 5);
  return frame;
}

export interface RawResponse {
  status: number;
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  body: Buffer;
  /** grpc-status from the trailers (or the headers of a trailers-only response). */
  grpcStatus?: string;
}

/** A raw HTTP/2 request: full control over headers and body bytes, for protocol-level tests. */
export async function rawH2(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  options: { end?: boolean } = {},
): Promise<RawResponse> {
  const http2 = await import('node:http2');
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    return await new Promise<RawResponse>((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': path, te: 'trailers', ...headers });
      let responseHeaders: Record<string, unknown> = {};
      let trailers: Record<string, unknown> = {};
      const chunks: Buffer[] = [];
      req.on('response', (h) => {
        responseHeaders = h;
      });
      req.on('trailers', (t) => {
        trailers = t;
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        resolve({
          status: Number(responseHeaders[':status']),
          headers: responseHeaders,
          trailers,
          body: Buffer.concat(chunks),
          grpcStatus: (trailers['grpc-status'] ?? responseHeaders['grpc-status']) as
            | string
            | undefined,
        }),
      );
      req.on('error', reject);
      if (body) req.write(body);
      if (options.end !== false) req.end();
    });
  } finally {
    session.close();
  }
}
