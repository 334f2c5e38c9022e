/**
 * The royalty RPCs of ChainService: GetRoyaltyConfiguration, UpdateRoyaltySplit, PayRoyalties,
 * GetClaimableRoyalties and ClaimRoyalties. The three writes run once per idempotency key.
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  ChainService,
  ClaimableBalanceSchema,
  ClaimableRoyaltiesResponseSchema,
  ContributorType,
  RoyaltyConfigurationResponseSchema,
  RoyaltyRecipientSchema,
} from '@mystira/chain-protos';
import { toConnectError } from '../connect-errors.js';
import type { ChainHandlers } from '../handlers.js';
import type { AssetRecord } from '../ledger.js';
import {
  validateClaim,
  validateClaimable,
  validateId,
  validatePay,
  validateUpdateSplit,
} from '../validation.js';
import { formatUnits } from '../wei.js';
import { paymentStatus, toContributor, toSplits } from './convert.js';
import type { ResolvedHandlerOptions } from './options.js';

/** The handlers of the five royalty RPCs. */
export type RoyaltyHandlers = Pick<
  ChainHandlers,
  | 'getRoyaltyConfiguration'
  | 'updateRoyaltySplit'
  | 'payRoyalties'
  | 'getClaimableRoyalties'
  | 'claimRoyalties'
>;

/** Creates the royalty handlers over the resolved options. */
export function royaltyHandlers(options: ResolvedHandlerOptions): RoyaltyHandlers {
  const { ledger, write, now } = options;

  async function assetByIp(ipAssetId: string): Promise<AssetRecord> {
    const asset = await ledger.getAssetByIpId(ipAssetId);
    if (!asset) throw new ConnectError(`IP asset ${ipAssetId} not found`, Code.NotFound);
    return asset;
  }

  return {
    async getRoyaltyConfiguration(req, _call) {
      validateId('ip_asset_id', req.ipAssetId);
      const asset = await assetByIp(req.ipAssetId).catch((e: unknown) => {
        throw toConnectError(e);
      });
      return create(RoyaltyConfigurationResponseSchema, {
        ipAssetId: asset.ipAssetId,
        royaltyModuleId: asset.royaltyModuleId,
        recipients: asset.contributors.map((c) =>
          create(RoyaltyRecipientSchema, {
            walletAddress: c.wallet,
            shareBasisPoints: c.shareBps,
            role: ContributorType[c.type] ?? 'UNSPECIFIED',
          }),
        ),
        lastUpdated: timestampFromDate(asset.royaltyUpdatedAt),
      });
    },

    async updateRoyaltySplit(req, call) {
      validateUpdateSplit(req);
      return write(ChainService.method.updateRoyaltySplit, req, call, async () => {
        const update = await ledger.setRoyaltySplit(
          req.ipAssetId,
          toSplits(req.contributors),
          call.signal,
        );
        return {
          ipAssetId: update.ipAssetId,
          transactionHash: update.txHash,
          success: update.errorMessage === undefined,
          errorMessage: update.errorMessage,
          contributors: update.contributors.map(toContributor),
        };
      });
    },

    async payRoyalties(req, call) {
      const amountWei = validatePay(req);
      return write(ChainService.method.payRoyalties, req, call, async () => {
        const p = await ledger.payRoyalties(
          {
            ipAssetId: req.ipAssetId,
            amountWei,
            currencyToken: req.currencyToken,
            payerReference: req.payerReference,
          },
          call.signal,
        );
        return {
          ipAssetId: p.ipAssetId,
          transactionHash: p.txHash,
          amountWei: p.amountWei.toString(),
          currencyToken: p.currencyToken,
          status: paymentStatus(p.status),
          errorMessage: p.errorMessage,
          paymentId: p.paymentId,
          paidAt: timestampFromDate(p.paidAt),
        };
      });
    },

    async getClaimableRoyalties(req, _call) {
      validateClaimable(req);
      const balances = await ledger
        .claimableBalances(req.walletAddress, req.ipAssetId)
        .catch((e: unknown) => {
          throw toConnectError(e);
        });
      return create(ClaimableRoyaltiesResponseSchema, {
        walletAddress: req.walletAddress.toLowerCase(),
        balances: balances.map((b) =>
          create(ClaimableBalanceSchema, {
            ipAssetId: b.ipAssetId,
            currencyToken: b.currencyToken,
            amountWei: b.amountWei.toString(),
            amountFormatted: formatUnits(b.amountWei, b.decimals),
          }),
        ),
        lastUpdated: timestampFromDate(now()),
      });
    },

    async claimRoyalties(req, call) {
      validateClaim(req);
      return write(ChainService.method.claimRoyalties, req, call, async () => {
        const c = await ledger.claimRoyalties(
          {
            ipAssetId: req.ipAssetId,
            wallet: req.contributorWallet,
            currencyToken: req.currencyToken,
          },
          call.signal,
        );
        return {
          ipAssetId: c.ipAssetId,
          contributorWallet: c.wallet,
          transactionHash: c.txHash,
          amountClaimedWei: c.amountWei.toString(),
          status: paymentStatus(c.status),
          errorMessage: c.errorMessage,
          claimedAt: timestampFromDate(c.claimedAt),
        };
      });
    },
  };
}
