/**
 * Content id → IP asset. Story Protocol knows nothing of Mystira's content ids: the ledger
 * writes the content id into the IP metadata document it registers, and keeps the mapping here
 * for fast lookups. The chain stays the source of truth: after a restart (or on a new instance
 * with an empty index) the ledger rebuilds the index from the chain's metadata events
 * (rebuild.ts), resuming from the checkpoint block the index stores.
 *
 * Memory is the default (one process); PostgreSQL (postgres.ts) and Redis (redis.ts) share one
 * index between several Chain server instances.
 */

/** One registered content. */
export interface ContentIndexEntry {
  /** Mystira's id of the content. */
  contentId: string;
  /** The IP asset id (the IP account's address), lower-case `0x`. */
  ipId: string;
  /** The registration transaction's hash. */
  txHash: string;
  /** The id of the NFT bound to the IP asset, as a decimal string. */
  nftTokenId: string;
  /** The block the registration was mined in, when known. */
  blockNumber?: bigint;
}

/** The port: a two-way map content id ↔ IP asset, plus the block a rebuild has reached. */
export interface ContentIndex {
  /** The entry for a content id, if any. */
  get(contentId: string): Promise<ContentIndexEntry | undefined>;
  /** The entry for an IP asset id (any case), if any. */
  getByIpId(ipId: string): Promise<ContentIndexEntry | undefined>;
  /**
   * Records `entry` unless the content id is mapped already; resolves with the entry the index
   * holds afterwards (the existing one when there was one, which may name another IP asset:
   * the first registration of a content id wins).
   */
  put(entry: ContentIndexEntry): Promise<ContentIndexEntry>;
  /** The last block whose events are all in the index (undefined: none yet). */
  checkpoint(): Promise<bigint | undefined>;
  /** Moves the checkpoint forward (never back: a lower block is ignored). */
  setCheckpoint(block: bigint): Promise<void>;
}

/** An index in memory: the default for a single Chain server process. */
export function memoryContentIndex(): ContentIndex {
  const byContent = new Map<string, ContentIndexEntry>();
  const byIp = new Map<string, ContentIndexEntry>();
  let checkpoint: bigint | undefined;
  return {
    async get(contentId) {
      return byContent.get(contentId);
    },
    async getByIpId(ipId) {
      return byIp.get(ipId.toLowerCase());
    },
    async put(entry) {
      const existing = byContent.get(entry.contentId);
      if (existing) return existing;
      const stored = { ...entry, ipId: entry.ipId.toLowerCase() };
      byContent.set(stored.contentId, stored);
      byIp.set(stored.ipId, stored);
      return stored;
    },
    async checkpoint() {
      return checkpoint;
    },
    async setCheckpoint(block) {
      if (checkpoint === undefined || block > checkpoint) checkpoint = block;
    },
  };
}
