/**
 * The deadline of one read call: a budget of time spent waiting on Cosmos DB (every page and
 * retry of the call; the time a stream's consumer keeps a row is not counted). When it runs out,
 * the round trip in flight is aborted and the call fails with `UnavailableError`, so no read can
 * hang, whatever the server or a continuation does.
 */
import { UnavailableError } from '@mystira/repository';

/** A read call's budget of waiting time. */
export class ReadDeadline {
  readonly #controller = new AbortController();
  readonly #budgetMs: number;
  readonly #entity: string;
  #leftMs: number;

  /** `budgetMs` of 0 or Infinity: no deadline. */
  constructor(budgetMs: number, entity: string) {
    this.#budgetMs = budgetMs;
    this.#leftMs = budgetMs > 0 ? budgetMs : Number.POSITIVE_INFINITY;
    this.#entity = entity;
  }

  /** Fires when the budget runs out (give it to every SDK call of the read, with the caller's). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the budget ran out. */
  get expired(): boolean {
    return this.#controller.signal.aborted;
  }

  /** The error a read whose budget ran out fails with. */
  error(cause?: unknown): UnavailableError {
    return new UnavailableError(
      `${this.#entity}: the Cosmos DB read did not finish within its deadline (${this.#budgetMs} ms)`,
      { entity: this.#entity, cause },
    );
  }

  /** Runs `fn` with the clock running; aborts `signal` when the budget runs out meanwhile. */
  async run<R>(fn: () => Promise<R>): Promise<R> {
    if (this.expired || this.#leftMs <= 0) throw this.error();
    if (this.#leftMs === Number.POSITIVE_INFINITY) return fn();
    const started = performance.now();
    const timer = setTimeout(() => this.#controller.abort(this.error()), this.#leftMs);
    try {
      return await fn();
    } catch (err) {
      throw this.expired ? this.error(err) : err;
    } finally {
      clearTimeout(timer);
      this.#leftMs -= performance.now() - started;
    }
  }
}

/** The caller's signal and the deadline's, as one (either fires). */
export function withDeadline(signal: AbortSignal | undefined, deadline: ReadDeadline): AbortSignal {
  return signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
}
