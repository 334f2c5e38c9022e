/**
 * Trace and span ids cut from a pool of random hex text. The SDK's RandomIdGenerator writes
 * Math.random() into a buffer and hex-encodes it for every id: two ids per call that starts a
 * trace, sampled or not, about 0.4 µs of the Chain host's unsampled call. Here 4 KiB of random
 * bytes (from the system's CSPRNG) are hex-encoded at once and ids are slices of that text.
 */
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const POOL_BYTES = 4096;
/** The invalid ids, made once (slicing them per id made a string each time). */
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

export class PooledIdGenerator implements IdGenerator {
  readonly #bytes = Buffer.allocUnsafe(POOL_BYTES);
  #pool = '';
  #at = 0;

  generateTraceId(): string {
    return this.#take(INVALID_TRACE_ID);
  }

  generateSpanId(): string {
    return this.#take(INVALID_SPAN_ID);
  }

  /** As many hex digits as `invalid` has, never `invalid` (all zeros). */
  #take(invalid: string): string {
    const chars = invalid.length;
    for (;;) {
      if (this.#at + chars > this.#pool.length) {
        this.#pool = randomFillSync(this.#bytes).toString('hex');
        this.#at = 0;
      }
      const id = this.#pool.slice(this.#at, this.#at + chars);
      this.#at += chars;
      if (id !== invalid) return id;
    }
  }
}
