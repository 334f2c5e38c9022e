/**
 * Group commit for outbox calls. Concurrent writers each need "record these ids" before they
 * touch the primary; one statement per writer would put an outbox round trip in series with
 * every write. Instead, calls that arrive while one flush is in flight are gathered and flushed
 * together as soon as it ends, so under load the outbox costs one round trip per group.
 */
export class Batcher<In, Out> {
  readonly #flush: (items: In[]) => Promise<Out[]>;
  #queue: { items: In[]; resolve: (out: Out[]) => void; reject: (err: unknown) => void }[] = [];
  #running: Promise<void> | null = null;

  constructor(flush: (items: In[]) => Promise<Out[]>) {
    this.#flush = flush;
  }

  /** Resolves with the outputs for `items` (in order) once a flush containing them succeeds. */
  push(items: readonly In[]): Promise<Out[]> {
    return new Promise<Out[]>((resolve, reject) => {
      this.#queue.push({ items: [...items], resolve, reject });
      if (!this.#running) this.#running = this.#drain();
    });
  }

  /** Resolves when everything pushed so far has been flushed (or failed). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    // Yield once so writers started in the same tick join the first group.
    await new Promise<void>((r) => setImmediate(r));
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      const all = group.flatMap((g) => g.items);
      try {
        const out = await this.#flush(all);
        let i = 0;
        for (const g of group) {
          g.resolve(out.slice(i, i + g.items.length));
          i += g.items.length;
        }
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.#running = null;
  }
}
