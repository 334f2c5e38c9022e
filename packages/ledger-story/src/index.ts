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

export {
  type ContentIndex,
  type ContentIndexEntry,
  memoryContentIndex,
} from './content-index/index.js';
export {
  type PostgresContentIndex,
  type PostgresContentIndexOptions,
  postgresContentIndex,
} from './content-index/postgres.js';
export {
  type RebuildOptions,
  type RebuildProgress,
  rebuildContentIndex,
} from './content-index/rebuild.js';
export {
  type ContentIndexRedis,
  type RedisContentIndexOptions,
  redisContentIndex,
} from './content-index/redis.js';
export {
  ROYALTY_TOKENS_PER_BP,
  type StoryCollectionOptions,
  StoryLedger,
  type StoryLedgerEvent,
  type StoryLedgerOptions,
  type StoryLedgerProvider,
  storyLedger,
  toTxState,
} from './ledger/index.js';
export { CanonicalJsonError, canonicalJson, type JsonValue } from './metadata/canonical-json.js';
export {
  type IpCreator,
  type IpMetadataDocument,
  type MetadataContributor,
  type MetadataInput,
  metadataHash,
  type NftAttribute,
  type NftMetadataDocument,
  type RegistrationDocuments,
  registrationDocuments,
} from './metadata/documents.js';
export { type PinataStoreOptions, pinataStore } from './metadata/pinata.js';
export {
  type ContentAddressedStore,
  cidOf,
  contentAddressedStore,
  contentId,
  type MetadataStore,
  MetadataStoreError,
  type StoredDocument,
} from './metadata/store.js';
export {
  type EndpointState,
  type FailoverTransport,
  type FailoverTransportOptions,
  failoverTransport,
  isTransient as isTransientRpcError,
} from './rpc/transport.js';
// The transaction machinery the ledger's options name (journal, nonce lease, fee oracle).
export * from './transactions/index.js';
