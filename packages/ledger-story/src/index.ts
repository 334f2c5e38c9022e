/**
 * `@mystira/ledger-story`: the Chain server's `Ledger` on Story Protocol, through
 * `@story-protocol/core-sdk` and viem. Work in progress (issue 19); not published yet.
 *
 * @packageDocumentation
 */

/** The Story Protocol chains the SDK supports, by chain id. */
export const STORY_CHAINS = { aeneid: 1315, mainnet: 1514 } as const;
