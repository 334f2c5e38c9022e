/**
 * `@mystira/ledger-story/embedded`: the development chain, an EVM node in process (Hardhat's
 * EDR) with test contracts at Story Protocol's addresses. Work in progress (issue 19).
 *
 * @packageDocumentation
 */

/** The chain id the embedded node reports: Aeneid's, the only one the Story SDK accepts. */
export const EMBEDDED_CHAIN_ID = 1315;
