/**
 * Split updates on Story. A split is held as royalty tokens (RTs) in the IP's vault, one basis
 * point = 10,000 RTs. A contributor's RTs come back only with that contributor's signature, so an
 * update can only move RTs the ledger controls: those still in the IP account (the signer owns
 * its NFT) and those the signer's own wallet holds. Every other wallet's share may only stay or
 * grow. The plan is a pure function; {@link SplitUpdates} reads the holdings and sends it.
 */

import type { Split } from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import { type Address, encodeFunctionData, keccak256, toHex } from 'viem';
import type { Submission, TransactionRequest } from '../transactions/index.js';
import { ipAccountAbi, ROYALTY_TOKENS_PER_BP, royaltyVaultAbi } from './abis.js';
import { lower } from './calls.js';
import type { SendingContext } from './sending.js';

/** One movement of royalty tokens. */
export interface TokenTransfer {
  /** The IP account or the signer. */
  from: Address;
  /** The wallet that gains the tokens. */
  to: Address;
  /** RT units (10,000 per basis point). */
  amount: bigint;
}

/**
 * The transfers that bring `holdings` (RTs by lower-case wallet, including the IP account and
 * the signer) to `next`: every wallet of `next` ends with `shareBps × 10,000` RTs, every other
 * wallet with none. RTs come from the IP account first, then from the signer. Throws
 * FAILED_PRECONDITION when a wallet the ledger does not control would lose RTs, or when the RTs
 * `next` needs are held by wallets outside both splits.
 */
export function planSplitUpdate(args: {
  ipId: Address;
  signer: Address;
  holdings: ReadonlyMap<string, bigint>;
  next: readonly Split[];
}): TokenTransfer[] {
  const ip = lower(args.ipId);
  const signer = lower(args.signer);
  const target = new Map<string, bigint>();
  for (const c of args.next) {
    const w = c.wallet.toLowerCase();
    target.set(w, (target.get(w) ?? 0n) + BigInt(c.shareBps) * ROYALTY_TOKENS_PER_BP);
  }
  const sources: { from: Address; left: bigint }[] = [];
  const needs: { to: Address; left: bigint }[] = [];
  for (const [wallet, held] of args.holdings) {
    const want = target.get(wallet) ?? 0n;
    if (held > want) {
      if (wallet !== ip && wallet !== signer) {
        throw new LedgerError(
          'FAILED_PRECONDITION',
          `the split would lower the share of ${wallet} from ${bps(held)} to ${bps(want)} bps; ` +
            `on Story a share is royalty tokens, which come back only with their holder's ` +
            `signature: only the ledger's own wallet ${signer} can give its share away`,
        );
      }
      sources.push({ from: wallet as Address, left: held - want });
    }
  }
  for (const [wallet, want] of target) {
    const held = args.holdings.get(wallet) ?? 0n;
    if (want > held) needs.push({ to: wallet as Address, left: want - held });
  }
  // The IP account gives first: its RTs are nobody's share yet.
  sources.sort((a, b) => Number(b.from === ip) - Number(a.from === ip));
  const transfers: TokenTransfer[] = [];
  for (const need of needs) {
    for (const source of sources) {
      if (need.left === 0n) break;
      // biome-ignore lint/complexity/useMathMinMax: bigint, which Math.min does not take
      const amount = source.left < need.left ? source.left : need.left;
      if (amount === 0n) continue;
      transfers.push({ from: source.from, to: need.to, amount });
      source.left -= amount;
      need.left -= amount;
    }
    if (need.left > 0n) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `the split needs ${bps(need.left)} more bps for ${need.to} than the IP account and the ` +
          `ledger's wallet hold: the rest of the royalty tokens are held outside the split`,
      );
    }
  }
  return transfers;
}

/** The transaction of one transfer: the IP account's `execute`, or the signer's own `transfer`. */
export function transferCall(vault: Address, ipId: Address, t: TokenTransfer): TransactionRequest {
  const transfer = encodeFunctionData({
    abi: royaltyVaultAbi,
    functionName: 'transfer',
    args: [t.to, t.amount],
  });
  if (lower(t.from) !== lower(ipId)) return { to: vault, data: transfer };
  return {
    to: ipId,
    data: encodeFunctionData({
      abi: ipAccountAbi,
      functionName: 'execute',
      args: [vault, 0n, transfer],
    }),
  };
}

/** Split updates of one ledger, one at a time per asset (each plans from the last one's result). */
export class SplitUpdates {
  /** Per asset, the update in flight (resolved once it is mined or failed to send). */
  private readonly last = new Map<string, Promise<void>>();

  constructor(private readonly ctx: SendingContext) {}

  /**
   * Plans and sends the transfers from `current` to `next` for the IP's vault. Resolves with the
   * submissions once sent (the last one's hash is the update's), and `mined` once every one is
   * in a block, true when all succeeded. The same update in the same holdings has the same
   * journal keys, so a retry after a restart adopts the first attempt's transactions.
   */
  async update(
    args: { ipId: Address; vault: Address; current: readonly Split[]; next: readonly Split[] },
    signal?: AbortSignal,
  ): Promise<{ submissions: Submission[]; mined: Promise<boolean> }> {
    const ip = lower(args.ipId);
    // Wait for the asset's previous update to be mined: this one plans from its result.
    const previous = this.last.get(ip) ?? Promise.resolve();
    let done!: () => void;
    const current = new Promise<void>((resolve) => (done = resolve));
    this.last.set(ip, current);
    void current.then(() => this.last.get(ip) === current && this.last.delete(ip));
    await previous;
    try {
      const holdings = await this.holdings(args);
      const plan = planSplitUpdate({
        ipId: ip,
        signer: this.ctx.signer,
        holdings,
        next: args.next,
      });
      const id = keccak256(
        toHex(JSON.stringify(plan, (_, v) => (typeof v === 'bigint' ? `${v}` : v))),
      );
      const submissions: Submission[] = [];
      // One after another, so the nonces (and the blocks) follow the plan's order.
      for (const [i, t] of plan.entries()) {
        submissions.push(
          await this.ctx.send(transferCall(args.vault, ip, t), {
            key: `resplit:${ip}:${id}:${i}`,
            ...(signal && { signal }),
          }),
        );
      }
      const mined = Promise.all(submissions.map((s) => s.mined())).then((all) =>
        all.every((m) => m.status === 'success'),
      );
      mined.finally(done).catch(() => {});
      return { submissions, mined };
    } catch (error) {
      done();
      throw error;
    }
  }

  /** RTs held by the IP account, the signer and every wallet of both splits. */
  private async holdings(args: {
    ipId: Address;
    vault: Address;
    current: readonly Split[];
    next: readonly Split[];
  }): Promise<Map<string, bigint>> {
    const wallets = new Set<string>([lower(args.ipId), lower(this.ctx.signer)]);
    for (const c of [...args.current, ...args.next]) wallets.add(c.wallet.toLowerCase());
    const entries = await Promise.all(
      [...wallets].map(async (w) => {
        const held = await this.ctx.client.readContract({
          address: args.vault,
          abi: royaltyVaultAbi,
          functionName: 'balanceOf',
          args: [w as Address],
        });
        return [w, held] as const;
      }),
    );
    return new Map(entries);
  }
}

function bps(units: bigint): string {
  const whole = units / ROYALTY_TOKENS_PER_BP;
  const rest = units % ROYALTY_TOKENS_PER_BP;
  return rest === 0n
    ? `${whole}`
    : `${whole}.${rest.toString().padStart(4, '0').replace(/0+$/, '')}`;
}
