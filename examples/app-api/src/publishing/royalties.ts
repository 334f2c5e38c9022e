/**
 * Royalties of a published story: payments into its IP asset (split by the chain between the
 * contributors), what each recipient can claim, and claims. Payments and claims need a confirmed
 * registration; reads only need the asset to exist.
 */
import { type ChainClient, uuidv7 } from '@mystira/chain-client';
import { fromChainFailure } from './chain-failures.ts';
import { isWalletAddress, parseWei } from './chain-requests.ts';
import {
  ChainRejectedError,
  type FieldError,
  InvalidRoyaltyRequestError,
  NotRegisteredYetError,
} from './errors.ts';
import { WIP_TOKEN } from './licensing-config.ts';
import type { RegistrationStore } from './registration-store.ts';
import { derivedKey } from './timing.ts';

export interface RoyaltyPaymentRequest {
  /** Wei as a decimal string (amounts exceed 2^53). */
  amountWei: string;
  payerReference?: string;
  /**
   * Sent to the chain as is. Default: derived from the story, the amount and `payerReference`
   * when one is given (the same payer reference pays once), else a new UUIDv7.
   */
  idempotencyKey?: string;
}

export interface RoyaltyPaymentReceipt {
  ipAssetId: string;
  txHash: string;
  amountWei: string;
  /** The key the payment was sent with: send it again to repeat the call safely. */
  idempotencyKey: string;
}

export interface StoryRoyalties {
  ipAssetId: string;
  recipients: { walletAddress: string; shareBasisPoints: number; role: string }[];
  /** What each recipient can claim now, in the native currency (or WIP, its 1:1 wrapper). */
  claimable: { walletAddress: string; amountWei: string }[];
}

export interface RoyaltyClaimReceipt {
  txHash: string;
  amountWei: string;
}

/**
 * The currencies a claimable balance counts in: the native token the App API pays in, and WIP,
 * its 1:1 wrapper, in which Story holds royalties (the Story ledger wraps native payments).
 */
const ROYALTY_CURRENCIES = new Set([`0x${'0'.repeat(40)}`, WIP_TOKEN]);
/** The chain's limit on a payer reference. */
const MAX_PAYER_REFERENCE = 256;
/** The chain's limit on idempotency keys. */
const MAX_IDEMPOTENCY_KEY = 128;

export class Royalties {
  readonly #store: RegistrationStore;
  readonly #chain: ChainClient;

  constructor(store: RegistrationStore, chain: ChainClient) {
    this.#store = store;
    this.#chain = chain;
  }

  /**
   * Pays royalties into the story's IP asset; the chain splits them by the contributors' shares.
   *
   * @throws InvalidRoyaltyRequestError (amount not a positive decimal wei string below 2^256,
   *   payer reference or key too long), StoryNotFoundError, NotRegisteredYetError (registration
   *   not confirmed), ChainUnavailableError, ChainRejectedError
   */
  async pay(
    storyId: string,
    request: RoyaltyPaymentRequest,
    options: { signal?: AbortSignal } = {},
    target?: { scope: string; ipAssetId: () => Promise<string> },
  ): Promise<RoyaltyPaymentReceipt> {
    const { signal } = options;
    const problems: FieldError[] = [];
    const amount = parseWei(request?.amountWei, '/amountWei');
    if (typeof amount !== 'bigint') problems.push(amount);
    const { payerReference, idempotencyKey } = request ?? {};
    if (
      payerReference !== undefined &&
      (typeof payerReference !== 'string' || payerReference.length > MAX_PAYER_REFERENCE)
    ) {
      problems.push({
        field: '/payerReference',
        message: `must be a string of at most ${MAX_PAYER_REFERENCE} characters`,
      });
    }
    if (
      idempotencyKey !== undefined &&
      (typeof idempotencyKey !== 'string' ||
        idempotencyKey.length === 0 ||
        idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
    ) {
      problems.push({
        field: '/idempotencyKey',
        message: `must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`,
      });
    }
    if (problems.length > 0 || typeof amount !== 'bigint') {
      throw new InvalidRoyaltyRequestError(problems);
    }
    // A scenario's payment goes to its own asset (target); its keys are scoped by its content id.
    const ipAssetId = target
      ? await target.ipAssetId()
      : await this.#store.confirmedAsset(
          storyId,
          'royalties are paid once it is confirmed',
          signal,
        );
    const scope = target?.scope ?? storyId;
    const key =
      idempotencyKey ??
      (payerReference !== undefined
        ? derivedKey('royalty-payment', [scope, amount.toString(), payerReference])
        : uuidv7());
    try {
      const payment = await this.#chain.payRoyalties(
        {
          ipAssetId,
          amountWei: amount,
          ...(payerReference !== undefined ? { payerReference } : {}),
          idempotencyKey: key,
        },
        { signal },
      );
      if (payment.status === 'failed') {
        throw new ChainRejectedError(
          `royalty payment failed on chain: ${payment.errorMessage ?? ''}`,
          {
            code: 'PAYMENT_FAILED',
            statusCode: 422,
          },
        );
      }
      return {
        ipAssetId: payment.ipAssetId,
        txHash: payment.transactionHash ?? '',
        amountWei: payment.amountWei.toString(),
        idempotencyKey: payment.idempotencyKey,
      };
    } catch (error) {
      if (error instanceof ChainRejectedError) throw error;
      throw fromChainFailure(error, 'paying royalties', signal);
    }
  }

  /**
   * The story's royalty split as the chain holds it, and what each recipient can claim now.
   *
   * @throws StoryNotFoundError, NotRegisteredYetError (no IP asset yet), ChainUnavailableError,
   *   ChainRejectedError
   */
  async read(storyId: string, options: { signal?: AbortSignal } = {}): Promise<StoryRoyalties> {
    const { signal } = options;
    const story = await this.#store.load(storyId, signal);
    const ipAssetId = story.registration?.ipAssetId;
    if (!ipAssetId) {
      throw new NotRegisteredYetError(
        storyId,
        story.registration?.state,
        'it has no IP asset on the chain yet',
      );
    }
    try {
      const configuration = await this.#chain.getRoyaltyConfiguration(ipAssetId, { signal });
      const balances = await Promise.all(
        configuration.recipients.map((r) =>
          this.#chain.getClaimableRoyalties(
            { walletAddress: r.walletAddress, ipAssetId },
            { signal },
          ),
        ),
      );
      return {
        ipAssetId,
        recipients: configuration.recipients.map((r) => ({
          walletAddress: r.walletAddress,
          shareBasisPoints: r.shareBasisPoints,
          role: r.role.toLowerCase(),
        })),
        claimable: configuration.recipients.map((r, i) => ({
          walletAddress: r.walletAddress,
          amountWei: (balances[i]?.balances ?? [])
            .filter((b) => ROYALTY_CURRENCIES.has(b.currencyToken.toLowerCase()))
            .reduce((sum, b) => sum + b.amountWei, 0n)
            .toString(),
        })),
      };
    } catch (error) {
      throw fromChainFailure(error, 'reading royalties', signal);
    }
  }

  /**
   * Claims everything `walletAddress` can claim from the story's IP asset (native currency).
   *
   * @throws InvalidRoyaltyRequestError (bad wallet), StoryNotFoundError, NotRegisteredYetError,
   *   ChainRejectedError (409 when there is nothing to claim), ChainUnavailableError
   */
  async claim(
    storyId: string,
    request: { walletAddress: string },
    options: { signal?: AbortSignal } = {},
  ): Promise<RoyaltyClaimReceipt> {
    const { signal } = options;
    if (!isWalletAddress(request?.walletAddress)) {
      throw new InvalidRoyaltyRequestError([
        { field: '/walletAddress', message: 'must be 0x followed by 40 hex digits' },
      ]);
    }
    const ipAssetId = await this.#store.confirmedAsset(
      storyId,
      'royalties are claimed once it is confirmed',
      signal,
    );
    try {
      const claim = await this.#chain.claimRoyalties(
        { ipAssetId, contributorWallet: request.walletAddress },
        { signal },
      );
      return {
        txHash: claim.transactionHash ?? '',
        amountWei: claim.amountClaimedWei.toString(),
      };
    } catch (error) {
      throw fromChainFailure(error, 'claiming royalties', signal);
    }
  }
}
