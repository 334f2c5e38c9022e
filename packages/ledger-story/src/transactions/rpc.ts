/**
 * Small helpers every part of the machinery uses: a deadline on each RPC call, an abortable
 * sleep, and the reading of viem's errors (revert data, "did the node answer at all").
 */
import {
  type Abi,
  BaseError,
  decodeErrorResult,
  type Hex,
  HttpRequestError,
  isHex,
  TimeoutError,
  WebSocketRequestError,
} from 'viem';
import { withDeadline as withTimeout } from '../../../../shared/waiting.js';
import type { ChainClient, ChainReceipt } from './client.js';
import { RpcDeadlineError, TransactionRevertedError } from './errors.js';

/**
 * Runs `call` and rejects with {@link RpcDeadlineError} when it has not settled after
 * `timeoutMs`. viem's own timeouts exist only on its HTTP and WebSocket transports; a custom
 * transport (an in-process node, a wallet) has none, so every call goes through this.
 */
export async function withDeadline<T>(
  method: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  return withTimeout(call(), timeoutMs, () => new RpcDeadlineError(method, timeoutMs));
}

/**
 * The transaction's receipt, or `undefined` while the node has none (not mined yet, or dropped
 * by a reorg), under the deadline of one RPC call.
 */
export async function receiptOf(
  client: ChainClient,
  hash: Hex,
  timeoutMs: number,
): Promise<ChainReceipt | undefined> {
  try {
    return await withDeadline('eth_getTransactionReceipt', timeoutMs, () =>
      client.getTransactionReceipt({ hash }),
    );
  } catch (error) {
    if ((error as Error).name === 'TransactionReceiptNotFoundError') return undefined;
    throw error;
  }
}

/** An abortable sleep, and `promise` or the signal's reason when the signal aborts first. */
export { raceAbort, sleep } from '../../../../shared/waiting.js';

/** Every error in `error`'s cause chain, outermost first. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 16) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** The revert data a node attached to an error (`error.data`, or `error.data.data`), if any. */
export function revertDataOf(error: unknown): Hex | undefined {
  for (const e of causes(error)) {
    const data = (e as { data?: unknown }).data;
    if (typeof data === 'string' && isHex(data)) return data;
    const inner = (data as { data?: unknown } | undefined)?.data;
    if (typeof inner === 'string' && isHex(inner)) return inner;
  }
  return undefined;
}

/** True when `error` says the EVM reverted (as opposed to a transport or node failure). */
export function isRevert(error: unknown): boolean {
  return causes(error).some((e) => {
    const { name, message, code } = e as { name?: string; message?: string; code?: number };
    // 3 is the JSON-RPC code geth and EDR use for "execution reverted"; viem names it
    // ExecutionRevertedError; other nodes only say so in the message.
    return (
      code === 3 ||
      name === 'ExecutionRevertedError' ||
      name === 'ContractFunctionRevertedError' ||
      /revert/i.test(message ?? '')
    );
  });
}

/**
 * Builds the {@link TransactionRevertedError} for a revert: decodes `Error(string)`,
 * `Panic(uint256)` and, with `abi`, custom errors; falls back to the node's message.
 */
export function revertError(error: unknown, abi?: Abi): TransactionRevertedError {
  const data = revertDataOf(error);
  if (data !== undefined && data.length >= 10) {
    try {
      const decoded = decodeErrorResult({ abi: abi ?? [], data });
      if (decoded.errorName === 'Error') {
        return new TransactionRevertedError(String(decoded.args?.[0]), data);
      }
      if (decoded.errorName === 'Panic') {
        return new TransactionRevertedError(`panic ${String(decoded.args?.[0])}`, data);
      }
      const args = decoded.args?.length ? `(${decoded.args.map(String).join(', ')})` : '';
      return new TransactionRevertedError(`${decoded.errorName}${args}`, data, decoded.errorName);
    } catch {
      return new TransactionRevertedError(`custom error ${data.slice(0, 10)}`, data);
    }
  }
  const message = error instanceof BaseError ? error.shortMessage : String(error);
  const reason = /reverted with reason string '(.*)'/.exec(message)?.[1];
  return new TransactionRevertedError(reason ?? 'unknown reason', data);
}

/**
 * True when a send failed without an answer from the node (the transaction may or may not
 * have arrived): a transport error or a missed deadline. An error the node answered with
 * (a JSON-RPC error object) is definite: the node did not take the transaction.
 */
export function isAmbiguousSendFailure(error: unknown): boolean {
  const chain = causes(error);
  if (
    chain.some(
      (e) =>
        e instanceof HttpRequestError ||
        e instanceof TimeoutError ||
        e instanceof WebSocketRequestError ||
        e instanceof RpcDeadlineError,
    )
  ) {
    return true;
  }
  // viem wraps whatever a transport throws without a JSON-RPC code in an UnknownRpcError with
  // code -1: that code is viem's, not the node's, so it is no answer.
  return !chain.some(
    (e) =>
      typeof (e as { code?: unknown }).code === 'number' &&
      (e as { name?: string }).name !== 'UnknownRpcError',
  );
}

/** The message of an error and its causes, for matching nodes' error texts. */
export function messageOf(error: unknown): string {
  return causes(error)
    .map((e) => (e as { message?: string }).message ?? String(e))
    .join(' | ');
}
