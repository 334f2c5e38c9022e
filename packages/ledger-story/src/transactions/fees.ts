/**
 * EIP-1559 fees: what to offer (from the node's fee history), the cap we refuse to pay above,
 * and the bump a replacement needs.
 */
import type { ChainClient } from './client.js';
import { FeeCapExceededError } from './errors.js';
import { withDeadline } from './rpc.js';

/** The two EIP-1559 fee fields of a transaction, in wei per gas. */
export interface Fees {
  /** The most the sender pays per gas, base fee included. */
  maxFeePerGas: bigint;
  /** The tip per gas for the block producer. */
  maxPriorityFeePerGas: bigint;
}

/** What a {@link FeeOracle} sees of the chain: the fees to offer and the next block's base fee. */
export interface FeeQuote extends Fees {
  /** The base fee of the next block, from the node's fee history. */
  nextBaseFeePerGas: bigint;
}

/** Where fees come from. Swap it for a fixed or external oracle in tests or on special chains. */
export interface FeeOracle {
  /** The fees to offer now. */
  quote(): Promise<FeeQuote>;
}

/** Options of {@link feeHistoryOracle}. */
export interface FeeHistoryOracleOptions {
  /** How many recent blocks to sample for the tip. Default 5. */
  blocks?: number;
  /** The reward percentile of those blocks to pay as a tip. Default 50. */
  rewardPercentile?: number;
  /**
   * The max fee is `nextBaseFee × baseFeeMultiplierPercent / 100 + tip`, so the transaction stays
   * includable while the base fee rises (it can rise 12.5 % a block). Default 200.
   */
  baseFeeMultiplierPercent?: number;
  /** The smallest tip to offer, for quiet chains whose recent rewards are 0. Default 1 wei. */
  minPriorityFeePerGas?: bigint;
  /** Deadline of the `eth_feeHistory` call, ms. Default 10 000. */
  rpcTimeoutMs?: number;
}

/** A {@link FeeOracle} over `eth_feeHistory`: the median recent tip and twice the next base fee. */
export function feeHistoryOracle(
  client: ChainClient,
  options: FeeHistoryOracleOptions = {},
): FeeOracle {
  const blocks = options.blocks ?? 5;
  const percentile = options.rewardPercentile ?? 50;
  const multiplier = BigInt(options.baseFeeMultiplierPercent ?? 200);
  const minTip = options.minPriorityFeePerGas ?? 1n;
  const timeout = options.rpcTimeoutMs ?? 10_000;
  return {
    async quote() {
      const history = await withDeadline('eth_feeHistory', timeout, () =>
        client.getFeeHistory({
          blockCount: blocks,
          blockTag: 'latest',
          rewardPercentiles: [percentile],
        }),
      );
      // baseFeePerGas has one entry more than the blocks sampled: the last is the next block's.
      const nextBaseFeePerGas = history.baseFeePerGas.at(-1) ?? 0n;
      const tips = (history.reward ?? []).map((r) => r[0] ?? 0n).sort((a, b) => (a < b ? -1 : 1));
      const median = tips.length > 0 ? tips[Math.floor(tips.length / 2)]! : 0n;
      const maxPriorityFeePerGas = median > minTip ? median : minTip;
      return {
        nextBaseFeePerGas,
        maxPriorityFeePerGas,
        maxFeePerGas: (nextBaseFeePerGas * multiplier) / 100n + maxPriorityFeePerGas,
      };
    },
  };
}

/**
 * Applies the cap to a quote. Over the cap but still includable (next base fee + tip fits):
 * the max fee is lowered to the cap, which only loses headroom against rising base fees. Not
 * includable under the cap: {@link FeeCapExceededError}, so we refuse instead of overpaying.
 */
export function capFees(quote: FeeQuote, cap: bigint | undefined): Fees {
  const fees = {
    maxFeePerGas: quote.maxFeePerGas,
    maxPriorityFeePerGas: quote.maxPriorityFeePerGas,
  };
  if (cap === undefined || fees.maxFeePerGas <= cap) return fees;
  const required = quote.nextBaseFeePerGas + quote.maxPriorityFeePerGas;
  if (required > cap) throw new FeeCapExceededError(required, cap);
  return { maxFeePerGas: cap, maxPriorityFeePerGas: quote.maxPriorityFeePerGas };
}

/** Geth's replacement rule is +10 % on both fields (its `--txpool.pricebump`); we take 12.5 %. */
export const DEFAULT_FEE_BUMP_PERCENT = 12.5;

/**
 * The fees of a replacement: each field raised by at least `bumpPercent` over the previous
 * attempt (rounded up, so that integer division never lands just under a node's rule) and
 * never below what the market asks now. `undefined` when the bumped max fee would exceed `cap`:
 * the caller keeps waiting for the transactions it has instead.
 */
export function bumpFees(
  previous: Fees,
  current: Fees,
  bumpPercent: number,
  cap: bigint | undefined,
): Fees | undefined {
  const bps = BigInt(Math.ceil(bumpPercent * 100));
  const bump = (value: bigint) => (value * (10_000n + bps) + 9_999n) / 10_000n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  let maxPriorityFeePerGas = max(bump(previous.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
  let maxFeePerGas = max(bump(previous.maxFeePerGas), current.maxFeePerGas);
  if (maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
  if (cap !== undefined && maxFeePerGas > cap) {
    // The market may be above what the bump needs: fall back to the bare bump under the cap.
    maxFeePerGas = bump(previous.maxFeePerGas);
    maxPriorityFeePerGas = bump(previous.maxPriorityFeePerGas);
    if (maxFeePerGas > cap) return undefined;
  }
  return { maxFeePerGas, maxPriorityFeePerGas };
}
