import { BaseError, RpcRequestError } from 'viem';

/**
 * An EIP-1193 provider: the one method viem's `custom()` transport, ethers' `BrowserProvider`
 * and wallets' `window.ethereum` have in common.
 */
export interface Eip1193Provider {
  /** Sends one JSON-RPC request; resolves with its result or rejects with its error. */
  request(args: { readonly method: string; readonly params?: unknown }): Promise<unknown>;
}

/**
 * Wraps Hardhat's provider so its JSON-RPC errors reach viem as they would over HTTP. viem's
 * `custom()` transport turns an error it does not recognise (a revert has code 3) into an
 * "unknown RPC error" and retries it, which costs about a second per revert; as a viem
 * `RpcRequestError` (what `http()` produces) it is final. `code`, `data` (the revert data) and
 * the node's message (as `details`) are kept.
 */
export function withRpcRequestErrors(provider: Eip1193Provider): Eip1193Provider {
  return {
    async request(args) {
      try {
        return await provider.request(args);
      } catch (error) {
        const e = error as { code?: unknown; message?: unknown; data?: unknown };
        if (typeof e.code !== 'number' || error instanceof BaseError) throw error;
        throw new RpcRequestError({
          body: { method: args.method, params: args.params },
          error: { code: e.code, message: String(e.message), data: e.data },
          url: 'embedded chain (in process)',
        });
      }
    },
  };
}
