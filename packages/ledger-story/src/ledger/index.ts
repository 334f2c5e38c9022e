/**
 * The Story Protocol ledger: `storyLedger(options)` and what it is made of.
 */
export { ROYALTY_TOKENS_PER_BP } from './abis.js';
export type {
  StoryCollectionOptions,
  StoryLedgerEvent,
  StoryLedgerOptions,
  StoryLedgerProvider,
} from './options.js';
export { StoryLedger, storyLedger } from './story-ledger.js';
export { toTxState } from './tx-states.js';
