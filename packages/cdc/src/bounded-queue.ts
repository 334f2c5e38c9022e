/**
 * The buffer between the replication connection and the consumer: at most `capacity` changes.
 * `push` waits while it is full, and the replication handler awaits `push`, which keeps the
 * connection's socket paused (pg-logical-replication's flow control): a slow consumer slows the
 * server's sending down instead of growing memory.
 */
import type { ChangeBatch } from './change.js';

export class BoundedBatchQueue {
  readonly #capacity: number;
  readonly #batches: ChangeBatch[] = [];
  #events = 0;
  #failure: { error: unknown } | null = null;
  #ended = false;
  #wakeReader: (() => void) | null = null;
  #wakeWriters: (() => void)[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Batches waiting for the consumer. */
  get length(): number {
    return this.#batches.length;
  }

  /** Waits for room (a batch larger than the capacity waits for an empty queue), then adds. */
  async push(batch: ChangeBatch): Promise<void> {
    while (
      !this.#ended &&
      this.#batches.length > 0 &&
      this.#events + batch.events.length > this.#capacity
    ) {
      await new Promise<void>((resolve) => this.#wakeWriters.push(resolve));
    }
    if (this.#ended) return;
    this.#batches.push(batch);
    this.#events += batch.events.length;
    this.#wake();
  }

  /** The next batch; undefined once ended and drained; throws the failure once drained. */
  async shift(): Promise<ChangeBatch | undefined> {
    while (true) {
      const batch = this.#batches.shift();
      if (batch) {
        this.#events -= batch.events.length;
        const writers = this.#wakeWriters;
        this.#wakeWriters = [];
        for (const wake of writers) wake();
        return batch;
      }
      if (this.#failure) throw this.#failure.error;
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => {
        this.#wakeReader = resolve;
      });
    }
  }

  /** No more batches will come; the reader gets what is queued, then the end. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** The stream failed: the reader gets `error` (queued batches are dropped: never acknowledged). */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#failure ??= { error };
    this.#batches.length = 0;
    this.#events = 0;
    this.end();
  }

  #wake(): void {
    const reader = this.#wakeReader;
    this.#wakeReader = null;
    reader?.();
    if (this.#ended) {
      const writers = this.#wakeWriters;
      this.#wakeWriters = [];
      for (const wake of writers) wake();
    }
  }
}
