/**
 * A k-way merge of async streams that are each sorted: the rows of a plan's group, whose parts
 * hold disjoint rows each in the plan's order.
 */

/**
 * Merges streams that are each in `compare` order into one (ties keep stream order). Streams are
 * read lazily, one row ahead each, and closed when the merge is.
 */
export async function* mergeOrdered<T>(
  streams: readonly AsyncIterable<T>[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  if (streams.length === 1) {
    yield* streams[0]!;
    return;
  }
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const heads: (IteratorResult<T> | null)[] = iterators.map(() => null);
  try {
    const first = await Promise.allSettled(iterators.map((it) => it.next()));
    first.forEach((r, i) => {
      if (r.status === 'fulfilled') heads[i] = r.value;
    });
    const failed = first.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (!h || h.done) continue;
        if (best < 0 || compare(h.value, (heads[best] as IteratorYieldResult<T>).value) < 0)
          best = i;
      }
      if (best < 0) return;
      const value = (heads[best] as IteratorYieldResult<T>).value;
      heads[best] = null; // consumed: a throw below must not close it twice
      yield value;
      heads[best] = await iterators[best]!.next();
    }
  } finally {
    await Promise.all(
      iterators.map((it, i) => (heads[i]?.done ? undefined : it.return?.().catch(() => undefined))),
    );
  }
}
