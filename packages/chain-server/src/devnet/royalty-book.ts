/**
 * The devnet's royalty accounts: what each wallet can claim from each asset, what each asset's
 * royalty vault holds, and the totals a conservation check compares. Kept apart from the block
 * machinery so that payments, license fees and claims (from the `Ledger` port and from the IP
 * port) credit and debit through one place.
 */
import { LedgerError, type Split } from '../ledger.js';
import { MAX_UINT256, splitByBasisPoints } from '../wei.js';

/** The part of one payment that lands in one asset's vault. */
export interface RoyaltyPart {
  /** The asset whose royalty holders receive the part. */
  ipAssetId: string;
  /** The wei of the part. */
  amountWei: bigint;
}

/** One claimable balance, as `claimableBalances` lists them. */
export interface BookEntry {
  ipAssetId: string;
  currencyToken: string;
  amountWei: bigint;
}

export class RoyaltyBook {
  /** wallet|ipAssetId|token → claimable wei. */
  private readonly balances = new Map<string, bigint>();
  /**
   * ipAssetId|token → wei the asset's royalty vault holds or will hold (confirmed and unclaimed,
   * plus payments not yet included): a real vault is a uint256, so a payment past it reverts.
   */
  private readonly vaults = new Map<string, bigint>();
  private paid = 0n;
  private claimed = 0n;

  /**
   * Makes room in every vault a payment in flight will reach. Throws FAILED_PRECONDITION (and
   * reserves nothing) when one would pass 2^256-1, as gas estimation reverts on a chain.
   */
  reserve(parts: readonly RoyaltyPart[], token: string): void {
    for (const part of parts) {
      const held = this.vaults.get(`${part.ipAssetId}|${token}`) ?? 0n;
      if (held + part.amountWei > MAX_UINT256) {
        throw new LedgerError(
          'FAILED_PRECONDITION',
          `execution reverted: arithmetic overflow (the royalty vault of ${part.ipAssetId} would hold more than 2^256-1 wei of ${token})`,
        );
      }
    }
    for (const part of parts) this.moveVault(part.ipAssetId, token, part.amountWei);
  }

  /** Gives back what {@link reserve} took for a payment whose transaction failed. */
  release(parts: readonly RoyaltyPart[], token: string): void {
    for (const part of parts) this.moveVault(part.ipAssetId, token, -part.amountWei);
  }

  /**
   * Credits a confirmed payment: each part to its asset's royalty holders, split by basis points
   * ({@link splitByBasisPoints}: every wei goes to someone) with the split in force now.
   */
  credit(
    parts: readonly RoyaltyPart[],
    token: string,
    splitOf: (ipAssetId: string) => readonly Split[],
  ): void {
    for (const part of parts) {
      const split = splitOf(part.ipAssetId);
      const shares = splitByBasisPoints(
        part.amountWei,
        split.map((s) => s.shareBps),
      );
      for (const [i, holder] of split.entries()) {
        const key = `${holder.wallet}|${part.ipAssetId}|${token}`;
        this.balances.set(key, (this.balances.get(key) ?? 0n) + (shares[i] as bigint));
      }
      this.paid += part.amountWei;
    }
  }

  /** The whole claimable balance of wallet/asset/token (0 when there is none). */
  balance(wallet: string, ipAssetId: string, token: string): bigint {
    return this.balances.get(`${wallet}|${ipAssetId}|${token}`) ?? 0n;
  }

  /**
   * Takes the whole balance for a claim in flight, so a second claim cannot spend it again.
   * FAILED_PRECONDITION when there is nothing to claim.
   */
  take(wallet: string, ipAssetId: string, token: string): bigint {
    const key = `${wallet}|${ipAssetId}|${token}`;
    const amount = this.balances.get(key) ?? 0n;
    if (amount === 0n) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `nothing to claim for ${wallet} on ${ipAssetId} in ${token}`,
      );
    }
    this.balances.set(key, 0n);
    this.moveVault(ipAssetId, token, -amount);
    this.claimed += amount;
    return amount;
  }

  /** Puts back what {@link take} took, when the claim's transaction failed. */
  giveBack(wallet: string, ipAssetId: string, token: string, amount: bigint): void {
    const key = `${wallet}|${ipAssetId}|${token}`;
    this.balances.set(key, (this.balances.get(key) ?? 0n) + amount);
    this.moveVault(ipAssetId, token, amount);
    this.claimed -= amount;
  }

  /** The non-zero balances of a wallet, optionally from one asset. */
  entries(wallet: string, ipAssetId?: string): BookEntry[] {
    const out: BookEntry[] = [];
    for (const [key, amount] of this.balances) {
      if (amount === 0n) continue;
      const [kw, kip, token] = key.split('|') as [string, string, string];
      if (kw !== wallet || (ipAssetId !== undefined && kip !== ipAssetId)) continue;
      out.push({ ipAssetId: kip, currencyToken: token, amountWei: amount });
    }
    return out;
  }

  /** Paid in (confirmed payments and license fees), claimed out, and still claimable. */
  totals(): { paid: bigint; claimed: bigint; claimable: bigint } {
    let claimable = 0n;
    for (const v of this.balances.values()) claimable += v;
    return { paid: this.paid, claimed: this.claimed, claimable };
  }

  private moveVault(ipAssetId: string, token: string, delta: bigint): void {
    const key = `${ipAssetId}|${token}`;
    this.vaults.set(key, (this.vaults.get(key) ?? 0n) + delta);
  }
}
