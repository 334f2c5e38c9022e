/** What every part of the ledger that sends transactions needs from it. */
import type { Address, PublicClient } from 'viem';
import type { Submission, TransactionRequest } from '../transactions/index.js';

/** The node, the signer, and the way to send as the signer. */
export interface SendingContext {
  /** The node. */
  client: PublicClient;
  /** The signer's address (it sends, and pays where a flow pays). */
  signer: Address;
  /** Sends through the submitter (errors already LedgerErrors) and follows the transaction. */
  send(
    request: TransactionRequest,
    options: { key: string; signal?: AbortSignal },
  ): Promise<Submission>;
}
