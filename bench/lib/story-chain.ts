/**
 * The processes of bench/story-ledger.bench.ts, each run as `--serve <kind>` in a child process
 * so that its CPU time per registration can be read on its own:
 *
 * - `node`: the embedded EVM node (Hardhat EDR, automine, Story test contracts) behind a
 *   counting JSON-RPC proxy: every request any contender makes goes through it, so the RPC calls
 *   per registration (and during a read phase) are counted where the node receives them.
 * - `viem`: the alternative: the same `mintAndRegisterIp` sent directly with a viem wallet client
 *   (see {@link serveViem}).
 *
 * The parent talks to every child over IPC with {@link call}; each child answers `cpu-reset`
 * and `cpu` (its own CPU time since the last reset, µs), and `exit`.
 */
import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentAddressedStore, metadataHash, registrationDocuments } from '@mystira/ledger-story';
import { startEmbeddedChain } from '@mystira/ledger-story/embedded';
import {
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http as httpTransport,
  nonceManager,
  parseAbi,
  parseEventLogs,
  zeroAddress,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { storyAeneid } from 'viem/chains';

/** What the `node` child reports when it is up. */
export interface NodeReady {
  /** The counting proxy in front of the node: what every contender is given. */
  rpcUrl: string;
  /** Funded test accounts' private keys (public test keys). */
  keys: Hex[];
  registrationWorkflows: Address;
}

/** JSON-RPC calls the node received, by method: how many, and its answer time summed (ms). */
export interface RpcCounts {
  calls: Record<string, number>;
  ms: Record<string, number>;
}

/** One closed-loop run of a contender. */
export interface LoopResult {
  /** Latency of every successful registration, ms. */
  latencies: number[];
  errors: number;
  /** A few distinct error messages. */
  errorMessages: string[];
  elapsedMs: number;
}

/** The two contributors every registration of the benchmark has (as in chain-server.bench.ts). */
export const CONTRIBUTORS = [
  { wallet: '0x1111111111111111111111111111111111111111', shareBps: 6000 },
  { wallet: '0x2222222222222222222222222222222222222222', shareBps: 4000 },
] as const;
export const TITLE = 'A benchmark title';

// ------------------------------------------------------------------------------ IPC plumbing --

let nextId = 0;

/** Sends `cmd` to a child and resolves with its answer (rejects with its error). */
export function call<T>(proc: ChildProcess, cmd: string, args: object = {}): Promise<T> {
  const id = ++nextId;
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: { id?: number; result?: T; error?: string }) => {
      if (m.id !== id) return;
      proc.off('message', onMessage);
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.result as T);
    };
    proc.on('message', onMessage);
    proc.send({ id, cmd, ...args });
  });
}

/** Waits for a child's first `{ ready }` message. */
export function ready<T>(proc: ChildProcess): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
    const onMessage = (m: { ready?: T }) => {
      if (m.ready === undefined) return;
      proc.off('message', onMessage);
      resolve(m.ready);
    };
    proc.on('message', onMessage);
  });
}

type Handler = (args: Record<string, unknown>) => unknown;

/**
 * The child side: answers the common commands and `handlers`, and exits with its parent. Call
 * it once the child is serving, then send `{ ready }`.
 */
export function answer(handlers: Record<string, Handler> = {}): void {
  let base = process.cpuUsage();
  const common: Record<string, Handler> = {
    'cpu-reset': () => {
      base = process.cpuUsage();
    },
    cpu: () => {
      const d = process.cpuUsage(base);
      return d.user + d.system;
    },
    exit: () => setImmediate(() => process.exit(0)),
  };
  process.on('message', async (m: { id: number; cmd: string } & Record<string, unknown>) => {
    const handler = handlers[m.cmd] ?? common[m.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      process.send?.({ id: m.id, result: (await handler(m)) ?? null });
    } catch (e) {
      process.send?.({ id: m.id, error: (e as Error).stack ?? String(e) });
    }
  });
  // Never outlive the benchmark, even when it dies.
  process.on('disconnect', () => process.exit(0));
}

// ------------------------------------------------------------------------------- node child --

/**
 * The embedded chain (automine, one block per transaction) behind a JSON-RPC proxy that counts
 * requests by method: single and batch requests are parsed, counted and forwarded unchanged to
 * the node's own HTTP server over keep-alive connections.
 */
export async function serveNode(): Promise<void> {
  const chain = await startEmbeddedChain({ automine: true });
  const target = new URL(chain.rpcUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let counts = new Map<string, number>();
  let millis = new Map<string, number>();
  /** Counts the request's calls; returns their methods. */
  const count = (body: Buffer): string[] => {
    let methods: string[];
    try {
      const parsed = JSON.parse(body.toString('utf8')) as
        | { method?: string }
        | { method?: string }[];
      methods = (Array.isArray(parsed) ? parsed : [parsed]).map((r) => r.method ?? '(none)');
    } catch {
      methods = ['(unparsable)'];
    }
    for (const m of methods) counts.set(m, (counts.get(m) ?? 0) + 1);
    return methods;
  };
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const methods = count(body);
      const start = performance.now();
      res.on('finish', () => {
        const ms = performance.now() - start;
        for (const m of methods) millis.set(m, (millis.get(m) ?? 0) + ms);
      });
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, {
            'content-type': answer.headers['content-type'] ?? 'application/json',
          });
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  });
  proxy.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  answer({
    /**
     * The calls counted since the last time, by method, and the time the node took to answer
     * them (summed, ms; a batch's time counts for each of its calls).
     */
    counts: (): RpcCounts => {
      const out = { calls: Object.fromEntries(counts), ms: Object.fromEntries(millis) };
      counts = new Map();
      millis = new Map();
      return out;
    },
    close: async () => {
      proxy.close();
      await chain.close();
    },
  });
  const ready: NodeReady = {
    rpcUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    // accounts[0] deploys the test contracts; the contenders take the others.
    keys: chain.accounts.slice(1).map((a) => a.privateKey),
    registrationWorkflows: chain.addresses.registrationWorkflows,
  };
  process.send?.({ ready });
}

// ------------------------------------------------------------------------------- viem child --

/** The Story functions the alternative calls: the same signatures the Story SDK encodes. */
const workflowsAbi = parseAbi([
  'struct InitParams { string name; string symbol; string baseURI; string contractURI; uint32 maxSupply; uint256 mintFee; address mintFeeToken; address mintFeeRecipient; address owner; bool mintOpen; bool isPublicMinting; }',
  'function createCollection(InitParams spgNftInitParams) returns (address spgNftContract)',
  'event CollectionCreated(address indexed spgNftContract)',
  'struct WorkflowIPMetadata { string ipMetadataURI; bytes32 ipMetadataHash; string nftMetadataURI; bytes32 nftMetadataHash; }',
  'function mintAndRegisterIp(address spgNftContract, address recipient, WorkflowIPMetadata ipMetadata, bool allowDuplicates) returns (address ipId, uint256 tokenId)',
]);
const registryAbi = parseAbi([
  'event IPRegistered(address ipId, uint256 indexed chainId, address indexed tokenContract, uint256 indexed tokenId, string name, string uri, uint256 registrationDate)',
]);

/**
 * The alternative: a viem wallet client (chain `storyAeneid`, `http()` transport to the same
 * node) that does what the ledger's registration does on chain, and no more:
 *
 * - builds the same two metadata documents with the same helpers and stores them in the same
 *   in-memory content-addressed store, so the calldata is the ledger's, field for field;
 * - `writeContract(mintAndRegisterIp(collection, signer, metadata, allowDuplicates = true))`
 *   (estimate, fees, nonce, sign, send: viem's own steps), one write at a time: with automine a
 *   transaction whose nonce arrives ahead of its predecessor's is refused, so viem's
 *   `nonceManager` under concurrency fails (see `probeNonceManager`), and a viem user sends
 *   sequentially;
 * - `waitForTransactionReceipt` (concurrently), then decodes `IPRegistered` for the IP id, as
 *   the ledger does before it answers.
 */
export async function serveViem(
  rpcUrl: string,
  workflows: Address,
  key: Hex,
  pollMs: number,
): Promise<void> {
  const account = privateKeyToAccount(key);
  const transport = httpTransport(rpcUrl);
  const publicClient = createPublicClient({
    chain: storyAeneid,
    transport,
    pollingInterval: pollMs,
  });
  const wallet = createWalletClient({ chain: storyAeneid, transport, account });
  const created = await wallet.writeContract({
    address: workflows,
    abi: workflowsAbi,
    functionName: 'createCollection',
    args: [
      {
        name: 'viem bench',
        symbol: 'VIEM',
        baseURI: '',
        contractURI: '',
        maxSupply: 2 ** 32 - 1,
        mintFee: 0n,
        mintFeeToken: zeroAddress,
        mintFeeRecipient: account.address,
        owner: account.address,
        mintOpen: true,
        isPublicMinting: false,
      },
    ],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash: created });
  const [event] = parseEventLogs({ abi: workflowsAbi, logs: receipt.logs });
  if (!event) throw new Error('createCollection reported no collection');
  const collection = event.args.spgNftContract;
  const store = contentAddressedStore();
  let seq = 0;
  let tail: Promise<unknown> = Promise.resolve();
  /** One write at a time, in call order (so nonces reach the node in order). */
  const sequential = <T>(f: () => Promise<T>): Promise<T> => {
    const p = tail.then(f);
    tail = p.catch(() => {});
    return p;
  };

  async function register(send: (args: WriteArgs) => Promise<Hex>): Promise<void> {
    seq++;
    const contentId = `viem-${process.pid}-${seq}`;
    const docs = registrationDocuments({
      contentId,
      title: TITLE,
      contributors: CONTRIBUTORS.map((c) => ({ ...c })),
      createdAt: new Date(),
    });
    const [ip, nft] = await Promise.all([store.put(docs.ip), store.put(docs.nft)]);
    const hash = await send({
      address: workflows,
      abi: workflowsAbi,
      functionName: 'mintAndRegisterIp',
      args: [
        collection,
        account.address,
        {
          ipMetadataURI: ip.uri,
          ipMetadataHash: metadataHash(docs.ip),
          nftMetadataURI: nft.uri,
          nftMetadataHash: metadataHash(docs.nft),
        },
        true,
      ],
    });
    const mined = await publicClient.waitForTransactionReceipt({ hash });
    if (mined.status !== 'success') throw new Error(`mintAndRegisterIp reverted in ${hash}`);
    const [registered] = parseEventLogs({ abi: registryAbi, logs: mined.logs });
    if (!registered) throw new Error('no IPRegistered event');
  }

  answer({
    run: ({ concurrency, ms }) =>
      closedLoop(Number(concurrency), Number(ms), () =>
        register((args) => sequential(() => wallet.writeContract(args))),
      ),
    /**
     * The same registrations with viem's `nonceManager` and no sequencing (a separate account,
     * so its nonces never meet the sequential one's): how many fail on an automining node.
     */
    'probe-nonce-manager': async ({ concurrency, ms, probeKey }) => {
      const managed = privateKeyToAccount(probeKey as Hex, { nonceManager });
      const managedWallet = createWalletClient({ chain: storyAeneid, transport, account: managed });
      const own = await managedWallet.writeContract({
        address: workflows,
        abi: workflowsAbi,
        functionName: 'createCollection',
        args: [
          {
            name: 'viem probe',
            symbol: 'PRB',
            baseURI: '',
            contractURI: '',
            maxSupply: 2 ** 32 - 1,
            mintFee: 0n,
            mintFeeToken: zeroAddress,
            mintFeeRecipient: managed.address,
            owner: managed.address,
            mintOpen: true,
            isPublicMinting: false,
          },
        ],
      });
      const r = await publicClient.waitForTransactionReceipt({ hash: own });
      const [e] = parseEventLogs({ abi: workflowsAbi, logs: r.logs });
      const probeCollection = e?.args.spgNftContract as Address;
      return closedLoop(Number(concurrency), Number(ms), () =>
        register((args) =>
          managedWallet.writeContract({
            ...args,
            args: [probeCollection, managed.address, args.args[2], true],
          }),
        ),
      );
    },
  });
  process.send?.({ ready: { collection } });
}

type WriteArgs = {
  address: Address;
  abi: typeof workflowsAbi;
  functionName: 'mintAndRegisterIp';
  args: readonly [
    Address,
    Address,
    { ipMetadataURI: string; ipMetadataHash: Hex; nftMetadataURI: string; nftMetadataHash: Hex },
    boolean,
  ];
};

/** Runs `op` from `concurrency` callers for `ms`; each caller starts the next when one ends. */
export async function closedLoop(
  concurrency: number,
  ms: number,
  op: () => Promise<unknown>,
): Promise<LoopResult> {
  const latencies: number[] = [];
  const messages = new Set<string>();
  let errors = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await op();
          latencies.push(performance.now() - t);
        } catch (e) {
          errors++;
          if (messages.size < 3) messages.add(firstLine(e));
        }
      }
    }),
  );
  return { latencies, errors, errorMessages: [...messages], elapsedMs: performance.now() - start };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 200) ?? '';
}
