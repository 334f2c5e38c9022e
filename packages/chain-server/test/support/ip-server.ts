/**
 * A Chain server whose ledger has (or lacks) an `ip` port, and typed clients of the three
 * mystira.chain.ip.v1 services over any protocol, for the ip-*.test.ts files.
 */
import { type Client, createClient } from '@connectrpc/connect';
import {
  CollectionService,
  ContributorRole,
  IpAssetService,
  LicensingService,
} from '@mystira/chain-protos';
import {
  type ChainServerOptions,
  createChainServer,
  DevnetLedger,
  type IpLedger,
  type Ledger,
} from '@mystira/chain-server';
import {
  type Protocol,
  type Running,
  transportFor,
  unique,
  WALLET_A,
  WALLET_B,
} from '../helpers.js';
import { FakeIpLedger } from './fake-ip-ledger.js';

/** The ledger with `ip` replaced (undefined: a ledger without the port), everything else its own. */
export function withIp<L extends Ledger>(ledger: L, ip: IpLedger | undefined): L {
  return new Proxy(ledger, {
    get(target, key) {
      if (key === 'ip') return ip;
      const value = Reflect.get(target, key, target);
      // Bound to the ledger itself, so private fields keep working behind the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface IpRunning extends Running {
  /** The fake behind `ledger.ip`, when the server was started with one. */
  fake?: FakeIpLedger;
}

/**
 * Starts a server on a free port over a devnet (2 confirmations) whose `ip` is
 *
 * - `'devnet'`: the devnet's own `DevnetLedger.ip`, with a block every few milliseconds (its
 *   writes answer once their transaction is in a block);
 * - a {@link FakeIpLedger} (the default; the devnet is mined by hand), or the port given;
 * - none (`ip: null`).
 */
export async function startIpServer(
  options: Partial<ChainServerOptions> & { ip?: IpLedger | null | 'devnet' } = {},
): Promise<IpRunning> {
  const { ip, ...serverOptions } = options;
  const devnet = new DevnetLedger({
    blockIntervalMs: ip === 'devnet' ? 5 : 0,
    requiredConfirmations: 2,
  });
  const fake = ip === undefined ? new FakeIpLedger() : undefined;
  const ledger = ip === 'devnet' ? devnet : withIp(devnet, ip === null ? undefined : (ip ?? fake));
  const server = createChainServer({ ...serverOptions, ledger });
  const { port } = await server.listen(0);
  devnet.start();
  return {
    server,
    ledger: devnet,
    fake,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      devnet.stop();
      await server.close({ deadlineMs: 2000 });
    },
  };
}

export interface IpClients {
  collections: Client<typeof CollectionService>;
  licensing: Client<typeof LicensingService>;
  assets: Client<typeof IpAssetService>;
}

export function ipClients(
  protocol: Protocol,
  baseUrl: string,
  headers?: Record<string, string>,
): IpClients {
  const transport = transportFor(protocol, baseUrl, headers);
  return {
    collections: createClient(CollectionService, transport),
    licensing: createClient(LicensingService, transport),
    assets: createClient(IpAssetService, transport),
  };
}

/** A currency for commercial terms (Story's WIP address). */
export const WIP = '0x1514000000000000000000000000000000000000';

/** Two royalty shares, 70/30. */
export function shares() {
  return [
    { walletAddress: WALLET_A, role: ContributorRole.AUTHOR, shareBasisPoints: 7000 },
    {
      walletAddress: WALLET_B,
      role: ContributorRole.ARTIST,
      shareBasisPoints: 3000,
      displayName: 'B',
    },
  ];
}

/** A valid original registration with JSON IP metadata. */
export function mintAndRegister(contentId = unique('ip-content'), key = unique('ip-key')) {
  return {
    contentId,
    ipMetadata: {
      source: { case: 'json' as const, value: `{"title":"Title of ${contentId}"}` },
    },
    royaltyShares: shares(),
    idempotencyKey: key,
  };
}

/** The Commercial Remix preset at 10 %, a fee of 1 wei, in WIP. */
export function commercialRemix(key = unique('terms-key')) {
  return {
    terms: {
      case: 'commercialRemix' as const,
      value: { mintingFeeWei: '1', currencyToken: WIP, commercialRevShareMicroPercent: 10_000_000 },
    },
    idempotencyKey: key,
  };
}
