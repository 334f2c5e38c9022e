/**
 * A provider in front of the embedded chain that makes the next transaction of one kind fail
 * ON CHAIN, as the conformance kit's `injectFailure` asks: its gas estimate is answered with
 * little more than the intrinsic gas, so the node accepts and mines the transaction and it runs
 * out of gas (a reverted receipt, like any transaction whose estimate went stale). Everything
 * else passes through unchanged.
 */
import type { LedgerOperation } from '@mystira/chain-server/testing';
import { STORY_ADDRESSES } from '@mystira/ledger-story/embedded';
import { type Hex, hexToBytes, toFunctionSelector, toHex } from 'viem';

type Provider = { request(args: { method: string; params?: unknown }): Promise<unknown> };

/**
 * The kinds of `Ledger.ip` writes, named here too so that this file compiles against a kit
 * whose `LedgerOperation` does not list them yet.
 */
type Kind =
  | LedgerOperation
  | 'collection'
  | 'license-terms'
  | 'attach-terms'
  | 'license-tokens'
  | 'ip-register';

const PIL_TERMS =
  '(bool,address,uint256,uint256,bool,bool,address,bytes,uint32,uint256,bool,bool,bool,bool,uint256,address,string)';

/** The calls each kind's failing transaction makes: `to` (undefined: any) and selector. */
const TARGETS: Record<Kind, { to?: string; selector: Hex }> = {
  register: {
    to: STORY_ADDRESSES.registrationWorkflows,
    selector: toFunctionSelector(
      'mintAndRegisterIp(address,address,(string,bytes32,string,bytes32),bool)',
    ),
  },
  payment: {
    to: STORY_ADDRESSES.royaltyModule,
    selector: toFunctionSelector('payRoyaltyOnBehalf(address,address,address,uint256)'),
  },
  claim: { selector: toFunctionSelector('claimRevenueOnBehalf(address,address)') },
  split: { selector: toFunctionSelector('execute(address,uint256,bytes)') },
  collection: {
    to: STORY_ADDRESSES.registrationWorkflows,
    selector: toFunctionSelector(
      'createCollection((string,string,string,string,uint32,uint256,address,address,address,bool,bool))',
    ),
  },
  'license-terms': {
    to: STORY_ADDRESSES.piLicenseTemplate,
    selector: toFunctionSelector(`registerLicenseTerms(${PIL_TERMS})`),
  },
  'attach-terms': {
    to: STORY_ADDRESSES.licensingModule,
    selector: toFunctionSelector('attachLicenseTerms(address,address,uint256)'),
  },
  'license-tokens': {
    to: STORY_ADDRESSES.licensingModule,
    selector: toFunctionSelector(
      'mintLicenseTokens(address,address,uint256,uint256,address,bytes,uint256,uint32)',
    ),
  },
  // The Story ledger mints an IP asset of `Ledger.ip` with the same workflow call as `register`.
  'ip-register': {
    to: STORY_ADDRESSES.registrationWorkflows,
    selector: toFunctionSelector(
      'mintAndRegisterIp(address,address,(string,bytes32,string,bytes32),bool)',
    ),
  },
};

/**
 * The least gas a node accepts for a call with `data`: 21,000 plus 16 per non-zero and 4 per
 * zero byte, or EIP-7623's floor of 10 per token (a zero byte is one token, a non-zero four).
 */
function intrinsicGas(data: Hex): bigint {
  let zero = 0n;
  let nonZero = 0n;
  for (const byte of hexToBytes(data)) byte === 0 ? zero++ : nonZero++;
  const standard = 21_000n + 4n * zero + 16n * nonZero;
  const floor = 21_000n + 10n * (zero + 4n * nonZero);
  return standard > floor ? standard : floor;
}

/** Wraps `provider`; `failNext(kind)` arms a failure for the next transaction of that kind. */
export function failingProvider(provider: Provider): Provider & {
  failNext(kind: Kind): void;
} {
  const armed = new Set<Kind>();
  return {
    failNext: (kind) => armed.add(kind),
    async request(args) {
      if (args.method === 'eth_estimateGas' && armed.size > 0) {
        const [tx] = args.params as [{ to?: string; data?: Hex }];
        for (const kind of armed) {
          const target = TARGETS[kind];
          const data = tx.data ?? '0x';
          const toMatches =
            target.to === undefined || tx.to?.toLowerCase() === target.to.toLowerCase();
          if (toMatches && data.startsWith(target.selector)) {
            armed.delete(kind);
            return toHex(intrinsicGas(data) + 1_000n);
          }
        }
      }
      return provider.request(args);
    },
  };
}
