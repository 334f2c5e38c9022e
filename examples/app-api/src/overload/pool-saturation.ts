/**
 * Readiness for a PostgreSQL pool that is up but saturated. When every connection is checked out
 * and callers queue for one (a locked table, a slow query plan, more load than the pool serves),
 * this instance can only answer 503s: the load balancer should send traffic elsewhere until it
 * drains. Liveness is not affected: restarting would not free PostgreSQL.
 *
 * The pool is sampled on a timer. A sample is "busy" when no connection is free (callers waiting,
 * or every connection checked out). The instance turns unready only after busy samples for
 * `afterMs` in a row, so one burst does not flap it, and ready again only after free samples for
 * `afterMs` in a row, by itself, with no one having to call anything.
 */
import type { CheckOutcome, HealthCheck } from '@mystira/health';

/** The counters `pg.Pool` keeps, and the probe query. */
export interface ObservedPool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  query(text: string): Promise<unknown>;
}

export interface PoolSaturationOptions {
  /** The pool's size (`max`). */
  max: number;
  /** How long the pool must stay busy to count as saturated, and free to count as recovered. */
  afterMs: number;
  /** Sampling period; default `afterMs / 5` within 10-250 ms. */
  sampleMs?: number;
  /** Monotonic clock in ms (tests drive it by hand). */
  now?: () => number;
}

export interface PoolSaturationDetail {
  saturated: boolean;
  /** No connection free at the last sample. */
  busy: boolean;
  /** How long the current busy run has lasted, in ms (0 when free). */
  busyForMs: number;
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export class PoolSaturation {
  readonly #pool: ObservedPool;
  readonly #max: number;
  readonly #afterMs: number;
  readonly #sampleMs: number;
  readonly #now: () => number;
  #busySince: number | undefined;
  #freeSince: number | undefined;
  #saturated = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(pool: ObservedPool, options: PoolSaturationOptions) {
    this.#pool = pool;
    this.#max = options.max;
    this.#afterMs = options.afterMs;
    this.#sampleMs = options.sampleMs ?? Math.min(250, Math.max(10, options.afterMs / 5));
    this.#now = options.now ?? (() => performance.now());
  }

  /** Reads the pool once and moves the state on; returns whether it is saturated. */
  sample(): boolean {
    const now = this.#now();
    const p = this.#pool;
    const busy = p.waitingCount > 0 || (p.idleCount === 0 && p.totalCount >= this.#max);
    if (busy) {
      this.#freeSince = undefined;
      this.#busySince ??= now;
      if (now - this.#busySince >= this.#afterMs) this.#saturated = true;
    } else {
      this.#busySince = undefined;
      this.#freeSince ??= now;
      if (now - this.#freeSince >= this.#afterMs) this.#saturated = false;
    }
    return this.#saturated;
  }

  get saturated(): boolean {
    return this.#saturated;
  }

  detail(): PoolSaturationDetail {
    const p = this.#pool;
    return {
      saturated: this.#saturated,
      busy: this.#busySince !== undefined,
      busyForMs: this.#busySince === undefined ? 0 : Math.round(this.#now() - this.#busySince),
      total: p.totalCount,
      idle: p.idleCount,
      waiting: p.waitingCount,
      max: this.#max,
    };
  }

  /** Starts sampling (an unref'd timer: it never keeps the process alive). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.sample(), this.#sampleMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The readiness check for this pool: unhealthy while saturated, answered at once; degraded (still
   * ready) while busy but not yet for `afterMs`, without a probe query that would only queue behind
   * the requests; otherwise `SELECT 1` through the pool, as a plain PostgreSQL check does.
   */
  healthCheck(name = 'postgresql'): HealthCheck {
    return {
      name,
      tags: ['ready'],
      check: async (): Promise<CheckOutcome | undefined> => {
        this.sample();
        const detail = this.detail();
        if (detail.saturated) return { status: 'unhealthy', detail: { ...detail } };
        if (detail.busy) return { status: 'degraded', detail: { ...detail } };
        await this.#pool.query('SELECT 1');
        return undefined;
      },
    };
  }
}
