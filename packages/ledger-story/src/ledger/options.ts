/**
 * Options of {@link storyLedger}, and how the node and signer they name are set up.
 */
import type { Address, Hex, LocalAccount, Transport } from 'viem';
import { custom } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ContentIndex } from '../content-index/index.js';
import type { MetadataStore } from '../metadata/store.js';
import { type FailoverTransportOptions, failoverTransport } from '../rpc/transport.js';
import type {
  FeeOracle,
  NonceLease,
  SubmissionEvent,
  SubmissionJournal,
} from '../transactions/index.js';

/** An EIP-1193 provider, e.g. the embedded chain's `provider` or a browser wallet's. */
export interface StoryLedgerProvider {
  /** One JSON-RPC call. */
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/** The SPG NFT collection a ledger creates when none is configured. */
export interface StoryCollectionOptions {
  /** The collection's ERC-721 name. */
  name: string;
  /** The collection's ERC-721 symbol. */
  symbol: string;
}

/** Options of {@link storyLedger}. Give exactly one of `rpcUrls` and `provider`. */
export interface StoryLedgerOptions {
  /** Which Story network: the Story SDK knows these two. Default `aeneid`. */
  network?: 'aeneid' | 'mainnet';
  /** Node URLs, most preferred first, used through a failover transport. */
  rpcUrls?: readonly string[];
  /** Options of the failover transport over `rpcUrls`. */
  failover?: Omit<FailoverTransportOptions, 'urls'>;
  /** A node as an EIP-1193 provider instead of URLs (the embedded chain). */
  provider?: StoryLedgerProvider;
  /**
   * What `info().rpcEndpoint` says for a `provider` (default `eip1193://provider`); with
   * `rpcUrls` it is the URLs without credentials, paths or queries.
   */
  rpcEndpointLabel?: string;
  /**
   * The signer: a private key (development), or any viem local account, e.g. one made with
   * `toAccount({ address, signMessage, signTransaction, signTypedData })` over a KMS. The key
   * is never logged or kept in the options the ledger reports.
   */
  signer: Hex | LocalAccount;
  /**
   * The SPG NFT collection assets are minted in. When omitted, one is created at start (see
   * {@link StoryLedger.collection} and {@link StoryLedgerOptions.collection}).
   */
  spgNftContract?: Address;
  /** The collection created when `spgNftContract` is omitted. Default `Mystira Stories` / `MYST`. */
  collection?: StoryCollectionOptions;
  /** Confirmations after which a transaction (and a registration) is final. Default 1. */
  requiredConfirmations?: number;
  /** Where metadata documents are stored. Default: in memory, content-addressed. */
  metadataStore?: MetadataStore;
  /** Content id ↔ IP asset. Default: in memory. */
  contentIndex?: ContentIndex;
  /** Signed transactions by idempotency key. Default: in memory. */
  journal?: SubmissionJournal;
  /** The signer's nonce lease (PostgreSQL when several processes sign). Default: in memory. */
  nonceLease?: NonceLease;
  /** The fee oracle. Default: `eth_feeHistory`. */
  fees?: FeeOracle;
  /** The most paid per gas, in wei; above it a write is FAILED_PRECONDITION. */
  maxFeePerGasCap?: bigint;
  /** How often transactions and receipts are polled, ms. Default 1000. */
  pollIntervalMs?: number;
  /** Deadline of each RPC call, ms. Default 10 000. */
  rpcTimeoutMs?: number;
  /** How old the head block may be before `health()` reports not serving, ms. Default 60 000. */
  maxHeadAgeMs?: number;
  /**
   * Create a royalty vault with `RoyaltyModule.deployVault(ipId)` when a registered IP has
   * none, so its split can be given out at once. Only the embedded chain's test contracts (and
   * protocol-core-v1 main) have that function; on released Story contracts a vault appears
   * through licensing or the royalty-token distribution workflows, which this ledger does not
   * drive yet. Default `false`: without a vault the split is recorded but not given out.
   */
  deployVaults?: boolean;
  /** Called with what happens in the background (submissions, split transfers, errors). */
  onEvent?: (event: StoryLedgerEvent) => void;
  /** The clock. */
  now?: () => Date;
}

/** Something the ledger did or met in the background. */
export type StoryLedgerEvent =
  | {
      /** The transaction submitter reported something. */
      type: 'submission';
      /** What it reported. */
      event: SubmissionEvent;
    }
  | {
      /** The ledger created its SPG NFT collection. */
      type: 'collection-created';
      /** The collection's address. */
      address: Address;
    }
  | {
      /** A background step failed (split transfer, receipt decoding, tracker poll). */
      type: 'error';
      /** What was being done. */
      context: string;
      /** The error. */
      error: unknown;
    };

/** The transport of `options` and the endpoint to report. */
export function transportOf(options: StoryLedgerOptions): {
  transport: Transport;
  endpoint: string;
} {
  if ((options.rpcUrls === undefined) === (options.provider === undefined)) {
    throw new TypeError('storyLedger: give exactly one of rpcUrls and provider');
  }
  if (options.provider !== undefined) {
    // No viem retries: a revert never changes on retry, and the submitter retries sends itself.
    return {
      transport: custom(options.provider, { retryCount: 0 }),
      endpoint: options.rpcEndpointLabel ?? 'eip1193://provider',
    };
  }
  const failover = failoverTransport({ ...options.failover, urls: options.rpcUrls! });
  return {
    transport: failover.transport,
    endpoint: failover
      .endpoints()
      .map((e) => e.url)
      .join(','),
  };
}

/** The signer of `options` as a local account. */
export function accountOf(signer: Hex | LocalAccount): LocalAccount {
  return typeof signer === 'string' ? privateKeyToAccount(signer) : signer;
}
