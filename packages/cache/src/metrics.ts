/**
 * Counters and a latency reservoir, cheap enough for the hit path (a few increments and one
 * array store per call). `snapshot()` derives ratios and percentiles on demand.
 */

export interface CacheMetricsSnapshot {
  /** Reads answered from the cache (L1 or store), including cached "not found". */
  hits: number;
  /** Of `hits`, answered from the in-process L1. */
  l1Hits: number;
  /** Reads the cache could not answer (absent, expired, invalidated or undecodable). */
  misses: number;
  /** hits / (hits + misses); 0 before any read. */
  hitRatio: number;
  /** Calls to the repository made to answer misses (single-flight joins are not loads). */
  loads: number;
  /** Misses that joined a load already in flight in this process. */
  coalesced: number;
  /** Reads that skipped the cache entirely (store down with invalidations pending, or uncacheable). */
  bypasses: number;
  /** Values written to the store. */
  fills: number;
  /** Fills refused because a write happened since the read (the race the guards close). */
  fillsRejected: number;
  /** Loaded values not cached because they exceeded `maxValueBytes`. */
  oversized: number;
  /**
   * Expired values served because the repository or factory failed, or (key cache) a factory
   * timeout passed (grace mode, fail-safe).
   */
  graceHits: number;
  /**
   * Refreshes started: key cache, a hit past `eagerRefresh` of its TTL; `cached()` with
   * `refreshAfterWrite`, a reload of a written item that found it not yet refilled.
   */
  refreshes: number;
  /** Store calls that failed or timed out, values that failed to decode or encode. */
  errors: number;
  /** Entries refused for their signature (unsigned or not signed for their key; `signingKeys` on). */
  forged: number;
  /** Refused entries deleted from the store (forged, oversized, undecodable) and junk generation keys replaced. */
  dropped: number;
  /** Invalidation messages this instance published (L1 on). */
  published: number;
  /** Invalidation messages this instance received, its own included (L1 on). */
  received: number;
  /** Invalidations that could not reach the store and wait to be flushed. */
  pendingInvalidations: number;
  /** Latency of cached reads (hit or miss), in ms, over the last 2048 reads. */
  latency: {
    /** Reads measured since the repository was created; the figures below cover the last 2048. */
    count: number;
    /** Mean latency in ms. */
    meanMs: number;
    /** Median latency in ms. */
    p50Ms: number;
    /** 99th-percentile latency in ms. */
    p99Ms: number;
    /** Slowest of those reads in ms. */
    maxMs: number;
  };
}

const RESERVOIR = 2048;

export class CacheMetrics {
  hits = 0;
  l1Hits = 0;
  misses = 0;
  loads = 0;
  coalesced = 0;
  bypasses = 0;
  fills = 0;
  fillsRejected = 0;
  oversized = 0;
  graceHits = 0;
  refreshes = 0;
  errors = 0;
  forged = 0;
  dropped = 0;
  published = 0;
  received = 0;
  readonly #latencies = new Float64Array(RESERVOIR);
  #count = 0;

  recordLatency(ms: number): void {
    this.#latencies[this.#count % RESERVOIR] = ms;
    this.#count++;
  }

  snapshot(pendingInvalidations: number): CacheMetricsSnapshot {
    const n = Math.min(this.#count, RESERVOIR);
    const sorted = Array.from(this.#latencies.subarray(0, n)).sort((a, b) => a - b);
    const at = (q: number) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]!);
    const total = this.hits + this.misses;
    return {
      hits: this.hits,
      l1Hits: this.l1Hits,
      misses: this.misses,
      hitRatio: total === 0 ? 0 : this.hits / total,
      loads: this.loads,
      coalesced: this.coalesced,
      bypasses: this.bypasses,
      fills: this.fills,
      fillsRejected: this.fillsRejected,
      oversized: this.oversized,
      graceHits: this.graceHits,
      refreshes: this.refreshes,
      errors: this.errors,
      forged: this.forged,
      dropped: this.dropped,
      published: this.published,
      received: this.received,
      pendingInvalidations,
      latency: {
        count: this.#count,
        meanMs: n === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / n,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        maxMs: n === 0 ? 0 : sorted[n - 1]!,
      },
    };
  }
}
