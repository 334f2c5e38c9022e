/**
 * The Ledger port's records as mystira.chain.v1 messages and back: contributors and splits,
 * payment states, registrations and transaction updates.
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  type Contributor,
  ContributorSchema,
  PaymentStatus,
  type RegisterIpAssetResponse,
  RegisterIpAssetResponseSchema,
  type TransactionUpdate,
  TransactionUpdateSchema,
} from '@mystira/chain-protos';
import type { AssetRecord, Split, TxState } from '../ledger.js';

/** A royalty split as the Contributor message. */
export function toContributor(s: Split): Contributor {
  return create(ContributorSchema, {
    walletAddress: s.wallet,
    contributorType: s.type,
    shareBasisPoints: s.shareBps,
    displayName: s.displayName,
  });
}

/** Validated contributors as the port's splits (wallets in lower case). */
export function toSplits(list: Contributor[]): Split[] {
  return list.map((c) => ({
    wallet: c.walletAddress.toLowerCase(),
    type: c.contributorType,
    shareBps: c.shareBasisPoints,
    displayName: c.displayName,
  }));
}

/** A payment's or claim's state as the PaymentStatus enum. */
export function paymentStatus(s: 'pending' | 'confirmed' | 'failed'): PaymentStatus {
  return s === 'pending'
    ? PaymentStatus.PENDING
    : s === 'confirmed'
      ? PaymentStatus.CONFIRMED
      : PaymentStatus.FAILED;
}

/** A registered (or registering) asset as RegisterIpAsset's response. */
export function registerResponse(asset: AssetRecord): RegisterIpAssetResponse {
  return create(RegisterIpAssetResponseSchema, {
    contentId: asset.contentId,
    ipAssetId: asset.ipAssetId,
    nftTokenId: asset.nftTokenId,
    registrationTxHash: asset.txHash,
    status: asset.status,
    registeredAt: asset.registeredAt && timestampFromDate(asset.registeredAt),
    errorMessage: asset.errorMessage,
  });
}

/** A transaction's state as one WatchTransactions update. */
export function txUpdate(state: TxState): TransactionUpdate {
  return create(TransactionUpdateSchema, {
    transactionHash: state.hash,
    status: state.status,
    confirmations: state.confirmations,
    errorMessage: state.errorMessage,
    timestamp: timestampFromDate(state.timestamp),
    blockHash: state.blockHash,
    blockNumber: state.blockNumber,
  });
}
