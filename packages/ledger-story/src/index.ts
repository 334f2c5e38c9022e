/**
 * `@mystira/ledger-story`: the Chain server's `Ledger` on Story Protocol, through
 * `@story-protocol/core-sdk` and viem. Work in progress (issue 19); not published yet.
 *
 * @packageDocumentation
 */

/** Aeneid, Story Protocol's testnet: one of the two chain ids the Story SDK accepts. */
export const AENEID_CHAIN_ID = 1315;
/** Story Protocol's mainnet: the other chain id the Story SDK accepts. */
export const MAINNET_CHAIN_ID = 1514;
