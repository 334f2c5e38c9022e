/**
 * The typed errors of the transaction machinery, and how each becomes a `LedgerError`.
 */
import { LedgerError } from '@mystira/chain-server';
import { BrokenCircuitError } from '@mystira/resilience';
import type { Hex } from 'viem';
import { brandErrors } from '../../../../shared/error-brand.js';
import { isTransient } from '../rpc/transport.js';

/**
 * The transaction would revert (found by gas estimation, before anything was signed) or did
 * revert (its receipt says so). `reason` is the decoded `Error(string)` message, the panic
 * description, or the custom error's name when the caller's ABI knows it; otherwise the raw
 * selector.
 */
export class TransactionRevertedError extends Error {
  /** Always `TransactionRevertedError`. */
  override readonly name = 'TransactionRevertedError';
  constructor(
    /** The decoded revert reason, or `'unknown reason'` when the node returned no data. */
    readonly reason: string,
    /** The raw revert data, when the node returned any. */
    readonly data: Hex | undefined,
    /** The custom error's name, when it was decoded with an ABI. */
    readonly errorName?: string,
  ) {
    super(`transaction reverted: ${reason}`);
  }
}

/** The fees the chain asks for now are above the configured `maxFeePerGasCap`; nothing was sent. */
export class FeeCapExceededError extends Error {
  /** Always `FeeCapExceededError`. */
  override readonly name = 'FeeCapExceededError';
  constructor(
    /** The smallest max fee per gas (next base fee + priority fee) that could be included. */
    readonly requiredMaxFeePerGas: bigint,
    /** The configured cap. */
    readonly maxFeePerGasCap: bigint,
  ) {
    super(
      `fees above the cap: the next block needs a max fee per gas of ${requiredMaxFeePerGas} wei, the cap is ${maxFeePerGasCap} wei`,
    );
  }
}

/**
 * The node refused the signed transaction (e.g. intrinsic gas too low, insufficient funds); the
 * nonce was not consumed and has gone to the next submission, so no gap is left.
 */
export class SubmissionRejectedError extends Error {
  /** Always `SubmissionRejectedError`. */
  override readonly name = 'SubmissionRejectedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`the node rejected the transaction: ${message}`, options);
  }
}

/** The nonce lease was lost (timed out or taken over) before its holder recorded the next nonce. */
export class NonceLeaseLostError extends Error {
  /** Always `NonceLeaseLostError`. */
  override readonly name = 'NonceLeaseLostError';
  constructor(signer: string, options?: { cause?: unknown }) {
    super(`the nonce lease of ${signer} was lost before it was released`, options);
  }
}

/** An RPC call did not answer within its deadline. */
export class RpcDeadlineError extends Error {
  /** Always `RpcDeadlineError`. */
  override readonly name = 'RpcDeadlineError';
  constructor(
    /** The JSON-RPC method (or a label of the call). */
    readonly method: string,
    /** The deadline, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`${method} did not answer within ${timeoutMs} ms`);
  }
}

brandErrors('@mystira/ledger-story', {
  TransactionRevertedError,
  FeeCapExceededError,
  SubmissionRejectedError,
  NonceLeaseLostError,
  RpcDeadlineError,
});

/**
 * Translates an error of this module into the `LedgerError` a `Ledger` method throws:
 * a revert found before sending, fees above the cap and a rejected transaction are
 * FAILED_PRECONDITION (the request cannot go through as it is); a missed deadline, a lost
 * lease, and a node that timed out, was overloaded or whose breaker is open (anywhere in the
 * error's cause chain: viem wraps them) are UNAVAILABLE (try again later). Returns `undefined`
 * for anything else.
 */
export function toLedgerError(error: unknown): LedgerError | undefined {
  if (
    error instanceof TransactionRevertedError ||
    error instanceof FeeCapExceededError ||
    error instanceof SubmissionRejectedError
  ) {
    return new LedgerError('FAILED_PRECONDITION', error.message);
  }
  if (error instanceof RpcDeadlineError || error instanceof NonceLeaseLostError) {
    return new LedgerError('UNAVAILABLE', error.message);
  }
  const unreachable = causes(error).find((e) => e instanceof BrokenCircuitError || isTransient(e));
  if (unreachable !== undefined) {
    return new LedgerError(
      'UNAVAILABLE',
      `the chain node is unavailable: ${messageOf(unreachable)}`,
    );
  }
  return undefined;
}

/** `error` and its causes, outermost first (at most 10: a cycle must not hang). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 10; ) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
