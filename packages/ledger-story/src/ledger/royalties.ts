/**
 * Royalty payments and claims on Story: a payment in the native token is wrapped to WIP
 * (`deposit`), the RoyaltyModule is approved once, and `payRoyaltyOnBehalf(ipId, 0x0, WIP,
 * amount)` moves it into the IP's vault; a claim is the vault's `claimRevenueOnBehalf(wallet,
 * WIP)`, sent by the ledger's signer, which pays the claimed WIP to the wallet.
 */
import { randomUUID } from 'node:crypto';
import type { ClaimRecord, PaymentRecord } from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import { type Address, encodeFunctionData, type Hex, maxUint256, zeroAddress } from 'viem';
import { STORY_ADDRESSES } from '../story/addresses.js';
import type { Submission } from '../transactions/index.js';
import { royaltyModuleAbi, royaltyVaultAbi, wipAbi } from './abis.js';
import type { SendingContext } from './sending.js';

/** What the royalty flows need from the ledger. */
export interface RoyaltyContext extends SendingContext {
  /** Follows a transaction's states (so `getTransaction` knows it). */
  follow(hash: Hex): void;
  /** The IP's royalty vault, if it has one. */
  vaultOf(ipId: Address): Promise<Address | undefined>;
  /** The clock. */
  now(): Date;
  /** Reports a background failure. */
  onError(context: string, error: unknown): void;
}

const WIP = STORY_ADDRESSES.wrappedIp;
const ROYALTY_MODULE = STORY_ADDRESSES.royaltyModule;

/**
 * The token Story moves for a port currency token: the native token (the zero address) and WIP
 * itself are WIP; anything else is refused (Story accepts whitelisted ERC-20s only, and this
 * ledger has not been set up for others).
 */
export function royaltyToken(currencyToken: string): Address {
  const token = currencyToken.toLowerCase();
  if (token === zeroAddress || token === WIP.toLowerCase()) return WIP;
  throw new LedgerError(
    'FAILED_PRECONDITION',
    `currency token ${token} is not supported: the Story ledger pays and claims in the native token (as WIP) only`,
  );
}

/** Payments and claims of one ledger. */
export class Royalties {
  private approval: Promise<void> | undefined;
  /** wallet|ip of claims in flight: a second one waits for the first to be mined. */
  private readonly claiming = new Set<string>();

  constructor(private readonly ctx: RoyaltyContext) {}

  /**
   * Pays `amount` (wei of the native token) into the IP's vault: wraps it to WIP, approves the
   * RoyaltyModule once, then `payRoyaltyOnBehalf`. The record is `pending` until the payment
   * is mined, then `confirmed` or `failed`. A `payerReference` makes the payment idempotent
   * (the same reference returns the same transactions).
   */
  async pay(
    input: { ipId: Address; amountWei: bigint; currencyToken: string; payerReference?: string },
    signal?: AbortSignal,
  ): Promise<PaymentRecord> {
    royaltyToken(input.currencyToken);
    const vault = await this.ctx.vaultOf(input.ipId);
    if (vault === undefined) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `IP asset ${input.ipId} has no royalty vault (on Story a vault is created through licensing or the royalty-token workflows)`,
      );
    }
    const ip = input.ipId.toLowerCase();
    const paymentId =
      input.payerReference !== undefined
        ? `pay:${ip}:${input.payerReference}`
        : `pay:${ip}:${randomUUID()}`;
    const deposit = await this.ctx.send(
      {
        to: WIP,
        data: encodeFunctionData({ abi: wipAbi, functionName: 'deposit' }),
        value: input.amountWei,
      },
      { key: `${paymentId}:deposit`, ...(signal && { signal }) },
    );
    await this.succeeded(deposit, `wrapping ${input.amountWei} wei to WIP`, signal);
    this.approval ??= this.approve().catch((error: unknown) => {
      this.approval = undefined;
      throw error;
    });
    await this.approval;
    const submission = await this.ctx.send(
      {
        to: ROYALTY_MODULE,
        data: encodeFunctionData({
          abi: royaltyModuleAbi,
          functionName: 'payRoyaltyOnBehalf',
          args: [input.ipId, zeroAddress, WIP, input.amountWei],
        }),
      },
      { key: paymentId, ...(signal && { signal }) },
    );
    const record: PaymentRecord = {
      paymentId,
      ipAssetId: ip,
      txHash: submission.hash.toLowerCase(),
      amountWei: input.amountWei,
      currencyToken: input.currencyToken.toLowerCase(),
      status: 'pending',
      paidAt: this.ctx.now(),
    };
    this.settle(submission, record, `payment ${paymentId}`);
    return { ...record };
  }

  /**
   * Claims the wallet's whole claimable WIP from the IP's vault, sent by the ledger's signer;
   * the vault pays the wallet. FAILED_PRECONDITION when there is nothing to claim or a claim
   * of the same wallet and asset is still in flight.
   */
  async claim(
    input: { ipId: Address; wallet: Address; currencyToken: string },
    signal?: AbortSignal,
  ): Promise<ClaimRecord> {
    const token = royaltyToken(input.currencyToken);
    const wallet = input.wallet.toLowerCase() as Address;
    const ip = input.ipId.toLowerCase();
    const nothing = () =>
      new LedgerError(
        'FAILED_PRECONDITION',
        `nothing to claim for ${wallet} on ${ip} in ${input.currencyToken.toLowerCase()}`,
      );
    const vault = await this.ctx.vaultOf(input.ipId);
    if (vault === undefined) throw nothing();
    const key = `${wallet}|${ip}`;
    if (this.claiming.has(key)) {
      throw new LedgerError('FAILED_PRECONDITION', `a claim for ${wallet} on ${ip} is in flight`);
    }
    this.claiming.add(key);
    try {
      const amount = await this.claimable(vault, wallet, token);
      if (amount === 0n) throw nothing();
      const submission = await this.ctx.send(
        {
          to: vault,
          data: encodeFunctionData({
            abi: royaltyVaultAbi,
            functionName: 'claimRevenueOnBehalf',
            args: [wallet, token],
          }),
        },
        { key: `claim:${ip}:${wallet}:${randomUUID()}`, ...(signal && { signal }) },
      );
      const record: ClaimRecord = {
        ipAssetId: ip,
        wallet,
        currencyToken: input.currencyToken.toLowerCase(),
        txHash: submission.hash.toLowerCase(),
        amountWei: amount,
        status: 'pending',
        claimedAt: this.ctx.now(),
      };
      this.settle(submission, record, `claim ${key}`, () => this.claiming.delete(key));
      return { ...record };
    } catch (error) {
      this.claiming.delete(key);
      throw error;
    }
  }

  /** The wallet's claimable amount of `token` in `vault`. */
  claimable(vault: Address, wallet: Address, token: Address = WIP): Promise<bigint> {
    return this.ctx.client.readContract({
      address: vault,
      abi: royaltyVaultAbi,
      functionName: 'claimableRevenue',
      args: [wallet, token],
    });
  }

  /** Approves the RoyaltyModule to take the signer's WIP, unless it may already. */
  private async approve(): Promise<void> {
    const allowance = await this.ctx.client.readContract({
      address: WIP,
      abi: wipAbi,
      functionName: 'allowance',
      args: [this.ctx.signer, ROYALTY_MODULE],
    });
    if (allowance >= maxUint256 / 2n) return;
    const submission = await this.ctx.send(
      {
        to: WIP,
        data: encodeFunctionData({
          abi: wipAbi,
          functionName: 'approve',
          args: [ROYALTY_MODULE, maxUint256],
        }),
      },
      { key: `approve:wip:${this.ctx.signer.toLowerCase()}:${randomUUID()}` },
    );
    await this.succeeded(submission, 'approving the RoyaltyModule to take WIP');
  }

  /** Waits for a step's inclusion; UNAVAILABLE when it reverted (nothing was paid yet). */
  private async succeeded(
    submission: Submission,
    what: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const mined = await submission.mined(signal);
    this.ctx.follow(mined.hash);
    if (mined.status !== 'success') {
      throw new LedgerError('UNAVAILABLE', `${what} reverted in transaction ${mined.hash}`);
    }
  }

  /** Marks the record confirmed or failed once its transaction is mined. */
  private settle(
    submission: Submission,
    record: { status: 'pending' | 'confirmed' | 'failed'; txHash: string; errorMessage?: string },
    what: string,
    done?: () => void,
  ): void {
    submission.mined().then(
      (mined) => {
        record.txHash = mined.hash.toLowerCase();
        this.ctx.follow(mined.hash);
        record.status = mined.status === 'success' ? 'confirmed' : 'failed';
        if (mined.status !== 'success') record.errorMessage = `${what} reverted`;
        done?.();
      },
      (error: unknown) => {
        done?.();
        this.ctx.onError(what, error);
      },
    );
  }
}
