/**
 * The real Chain service for the publishing tests: `@mystira/chain-server` over a devnet ledger,
 * listening on a real port, and `@mystira/chain-client` talking gRPC over HTTP/2 to it. The ledger
 * outlives the server, so a test can stop the service and bring a NEW server (with a fresh,
 * in-memory idempotency store) back on the same ledger and the same port — what a restarted Chain
 * host looks like to the App API.
 */
import net from 'node:net';
import { type ChainClient, createChainClient } from '@mystira/chain-client';
import {
  type AssetRecord,
  type ChainServer,
  createChainServer,
  DevnetLedger,
  type DevnetLedgerOptions,
  type RegisterAssetInput,
} from '@mystira/chain-server';

/** A devnet that counts the registrations it executed, per content id (a duplicate would show as 2). */
export class CountingLedger extends DevnetLedger {
  readonly registrations = new Map<string, number>();
  /** Called after each executed registration, before the server answers (fault injection). */
  onRegistered: ((asset: AssetRecord) => void) | undefined;
  /** While set, registrations wait for it before executing (a slow chain). */
  registrationGate: Promise<void> | undefined;

  override async registerAsset(input: RegisterAssetInput): Promise<AssetRecord> {
    await this.registrationGate;
    const asset = await super.registerAsset(input);
    this.registrations.set(input.contentId, (this.registrations.get(input.contentId) ?? 0) + 1);
    this.onRegistered?.(asset);
    return asset;
  }

  registrationsOf(contentId: string): number {
    return this.registrations.get(contentId) ?? 0;
  }
}

export interface TestChain {
  readonly ledger: CountingLedger;
  /** The port clients use (stays the same across server restarts). */
  readonly port: number;
  readonly baseUrl: string;
  /** Stops the Chain service (the ledger keeps its state and keeps producing blocks). */
  stopServer(): Promise<void>;
  /** Starts a new Chain service over the same ledger, on the same port unless told otherwise. */
  startServer(port?: number): Promise<void>;
  /** A chain client with short timeouts and fast reconnects (close it when done). */
  client(): ChainClient;
  close(): Promise<void>;
}

export async function startTestChain(
  options: DevnetLedgerOptions & { port?: number } = {},
): Promise<TestChain> {
  const ledger = new CountingLedger({
    blockIntervalMs: options.blockIntervalMs ?? 20,
    requiredConfirmations: options.requiredConfirmations ?? 2,
  });
  ledger.start();
  let server: ChainServer | undefined = createChainServer({ ledger });
  const { port } = await server.listen(options.port ?? 0, '127.0.0.1');
  const clients: ChainClient[] = [];
  const chain: TestChain = {
    ledger,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    async stopServer() {
      const running = server;
      server = undefined;
      await running?.close({ deadlineMs: 200 });
    },
    async startServer(onPort = port) {
      if (server) return;
      server = createChainServer({ ledger });
      await server.listen(onPort, '127.0.0.1');
    },
    client() {
      const client = chainClientFor(chain.baseUrl);
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) c.close();
      ledger.stop();
      await chain.stopServer();
    },
  };
  return chain;
}

/** The client the App API would use, tuned so an outage is reported in well under a second. */
export function chainClientFor(baseUrl: string): ChainClient {
  return createChainClient({
    baseUrl,
    timeoutMs: 3_000,
    retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
    // A test restarts the service on purpose; the breaker would (rightly) keep calls away for 5 s.
    breaker: false,
    watch: { maxReconnects: 200, initialDelayMs: 20, maxDelayMs: 200 },
  });
}

/**
 * A TCP proxy in front of a Chain service that can fail like a network: `cut()` destroys every
 * connection through it at once and stops accepting new ones (requests in flight lose their
 * answers; new calls are refused).
 */
export interface CuttableProxy {
  readonly port: number;
  cut(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(upstreamPort: number): Promise<CuttableProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const proxy = net.createServer((downstream) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    track(downstream);
    track(upstream);
    // Either side going away takes the other with it, as a dead host would.
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as net.AddressInfo;
  const closed = new Promise<void>((resolve) => proxy.on('close', () => resolve()));
  let listening = true;
  const cut = () => {
    if (listening) {
      listening = false;
      proxy.close();
    }
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    cut,
    async close() {
      cut();
      await closed;
    },
  };
}
