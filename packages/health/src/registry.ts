import { CheckTimeoutError, DuplicateCheckError } from './errors.js';
import { HealthStatusBoard, type ServingStatus } from './status-board.js';

/** The outcome of a check or of a whole report, worst last. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/** What a check function may return to report more than "it did not throw". */
export interface CheckOutcome {
  /** The check's status; `unhealthy` counts as a failure (as if it had thrown). */
  status: HealthStatus;
  /** Free-form detail for the JSON report (keep secrets out of it: /readyz may be public). */
  detail?: string | Record<string, unknown>;
}

/** What a check function receives. */
export interface CheckContext {
  /** Aborted when the check times out or the whole run is cancelled: pass it to the I/O. */
  signal: AbortSignal;
}

/** One named check. */
export interface HealthCheck {
  /** Unique within a registry; keys the report. */
  name: string;
  /**
   * Resolves (or returns) when the dependency is fine, throws/rejects when it is not. It may
   * return a {@link CheckOutcome} to report `degraded` or attach detail.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: an async check that returns nothing is Promise<void>.
  check(ctx: CheckContext): Promise<CheckOutcome | void> | CheckOutcome | void;
  /** Time after which the check counts as unhealthy. Default: the registry's `defaultTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Whether a failure makes the whole report `unhealthy` (true, the default) or only `degraded`
   * (e.g. a cache the service can run without).
   */
  critical?: boolean;
  /** Which probes run the check: `live` (/healthz), `ready` (/readyz), or your own. Default `['ready']`. */
  tags?: readonly string[];
}

/** The result of one check in a report. */
export interface CheckEntry {
  /** {@link HealthCheck.name}: keys the entry. */
  name: string;
  /** `unhealthy` when the check threw, rejected or timed out; otherwise what it reported. */
  status: HealthStatus;
  /** Whether a failure of this check makes the report `unhealthy` (else only `degraded`). */
  critical: boolean;
  /** The check's tags, i.e. the probes that run it. */
  tags: readonly string[];
  /** Wall time of the check in milliseconds (capped by its timeout). */
  durationMs: number;
  /** Set when the check threw, rejected or timed out. */
  error?: {
    /** The error's `name`, e.g. `CheckTimeoutError`. */
    name: string;
    /** The error's message (for an AggregateError without one, its errors' messages). */
    message: string;
    /** The error's `code` when it is a string or a number, e.g. `ECONNREFUSED`. */
    code?: string | number;
  };
  /** The detail the check returned in its {@link CheckOutcome}. */
  detail?: string | Record<string, unknown>;
}

/** The result of running a registry. */
export interface HealthReport {
  /** `unhealthy` if a critical check failed, `degraded` if a non-critical check failed or a check reported `degraded`, else `healthy`. */
  status: HealthStatus;
  /** One entry per check that ran, in registration order. */
  checks: CheckEntry[];
  /** Wall time of the whole run in milliseconds. */
  durationMs: number;
  /** ISO-8601 time the run started. */
  timestamp: string;
}

/** Options of {@link HealthRegistry.run}. */
export interface RunOptions {
  /** Run only checks carrying at least one of these tags (all checks when omitted). */
  tags?: readonly string[];
  /**
   * Cancels the run: `run()` rejects with the reason, and a check's signal is aborted unless
   * another run is still waiting for it.
   */
  signal?: AbortSignal;
}

/** Options of {@link createHealthRegistry}. */
export interface HealthRegistryOptions {
  /** Timeout for checks that set none. Default 5000 ms. */
  defaultTimeoutMs?: number;
  /** Monotonic clock in ms, for durations (tests inject one). Default `performance.now`. */
  now?: () => number;
  /** Wall clock for the report timestamp. Default `Date.now`. */
  wallClock?: () => number;
  /** Share a status board (e.g. between two registries); a new one by default. */
  statusBoard?: HealthStatusBoard;
}

/**
 * Named health checks, run on demand by the probes: build one with {@link createHealthRegistry}.
 */
export interface HealthRegistry {
  /** Adds a check; returns a function that removes it. Throws {@link DuplicateCheckError}. */
  register(check: HealthCheck): () => void;
  /**
   * Runs the selected checks concurrently, each bounded by its timeout. A check already running
   * for another caller is joined, not started again (concurrent probes share one run).
   */
  run(options?: RunOptions): Promise<HealthReport>;
  /** Names of the registered checks, in registration order. */
  readonly names: readonly string[];
  /** Per-service statuses set by hand, served by grpc.health.v1 and honoured by `/readyz`. */
  readonly statusBoard: HealthStatusBoard;
  /** Shorthand for `statusBoard.set(service, status)`; `""` is the server as a whole. */
  setServiceStatus(service: string, status: ServingStatus): void;
}

const rank: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The overall status of a set of entries (exported for tests and custom exposures). */
export function aggregateStatus(
  entries: readonly Pick<CheckEntry, 'status' | 'critical'>[],
): HealthStatus {
  let worst: HealthStatus = 'healthy';
  for (const entry of entries) {
    // A failing non-critical check only degrades the service: it can still do its main job.
    const effective: HealthStatus =
      entry.status === 'unhealthy' && !entry.critical ? 'degraded' : entry.status;
    if (rank[effective] > rank[worst]) worst = effective;
  }
  return worst;
}

function describeError(err: unknown): NonNullable<CheckEntry['error']> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const out: NonNullable<CheckEntry['error']> = { name: err.name, message: err.message };
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    // AggregateError (e.g. pg/net trying IPv4 and IPv6) has an empty message of its own.
    if (!out.message && err instanceof AggregateError && err.errors.length > 0) {
      out.message = err.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
    }
    return out;
  }
  return { name: 'Error', message: String(err) };
}

function isOutcome(value: unknown): value is CheckOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CheckOutcome).status === 'string' &&
    (value as CheckOutcome).status in rank
  );
}

/** Creates an empty registry of named health checks. */
export function createHealthRegistry(options: HealthRegistryOptions = {}): HealthRegistry {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 5000;
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? Date.now;
  const statusBoard = options.statusBoard ?? new HealthStatusBoard();
  const checks = new Map<string, HealthCheck>();

  function validate(check: HealthCheck): void {
    if (typeof check?.name !== 'string' || check.name === '') {
      throw new TypeError('a health check needs a non-empty name');
    }
    if (typeof check.check !== 'function') {
      throw new TypeError(`health check "${check.name}" needs a check function`);
    }
    if (check.timeoutMs !== undefined && !(check.timeoutMs > 0)) {
      throw new RangeError(`health check "${check.name}": timeoutMs must be > 0`);
    }
  }

  /**
   * Checks in progress. A probe that comes while a check is running waits for that run instead of
   * starting another: a flood of probes costs each dependency one check at a time, not one per
   * probe. The check's signal aborts at its timeout, or once every probe waiting on it is gone.
   */
  const inFlight = new Map<
    HealthCheck,
    { entry: Promise<CheckEntry>; abort: AbortController; waiters: number }
  >();

  function runOne(check: HealthCheck, runSignal: AbortSignal | undefined): Promise<CheckEntry> {
    let flight = inFlight.get(check);
    if (!flight) {
      const abort = new AbortController();
      const entry = execute(check, abort);
      flight = { entry, abort, waiters: 0 };
      inFlight.set(check, flight);
      const done = () => inFlight.delete(check);
      entry.then(done, done);
    }
    const shared = flight;
    shared.waiters++;
    if (!runSignal) return shared.entry.then((e) => ({ ...e }));
    return new Promise<CheckEntry>((resolve, reject) => {
      const onAbort = () => {
        shared.waiters--;
        if (shared.waiters === 0) shared.abort.abort(runSignal.reason);
        reject(runSignal.reason);
      };
      if (runSignal.aborted) return onAbort();
      runSignal.addEventListener('abort', onAbort, { once: true });
      shared.entry.then((e) => {
        runSignal.removeEventListener('abort', onAbort);
        resolve({ ...e });
      }, reject);
    });
  }

  /** One run of one check, bounded by its timeout; never rejects. */
  async function execute(check: HealthCheck, controller: AbortController): Promise<CheckEntry> {
    const timeoutMs = check.timeoutMs ?? defaultTimeoutMs;
    const critical = check.critical ?? true;
    const tags = check.tags ?? ['ready'];
    const started = now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The timeout races the check instead of trusting it to honour the signal: a driver that
    // ignores AbortSignal (pg, ioredis) must still not hang the report.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new CheckTimeoutError(check.name, timeoutMs);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
        once: true,
      });
    });
    // Both racers may lose; keep their rejections from surfacing as unhandled.
    timedOut.catch(() => {});
    aborted.catch(() => {});
    try {
      const result = await Promise.race([
        (async () => check.check({ signal: controller.signal }))(),
        timedOut,
        aborted,
      ]);
      const entry: CheckEntry = {
        name: check.name,
        status: isOutcome(result) ? result.status : 'healthy',
        critical,
        tags,
        durationMs: now() - started,
      };
      if (isOutcome(result) && result.detail !== undefined) entry.detail = result.detail;
      return entry;
    } catch (err) {
      return {
        name: check.name,
        status: 'unhealthy',
        critical,
        tags,
        durationMs: now() - started,
        error: describeError(err),
      };
    } finally {
      clearTimeout(timer);
      // Tell a check that is still running (it lost the race) to stop its I/O.
      if (!controller.signal.aborted) controller.abort(new Error('health check finished'));
    }
  }

  return {
    statusBoard,
    get names() {
      return [...checks.keys()];
    },
    register(check) {
      validate(check);
      if (checks.has(check.name)) throw new DuplicateCheckError(check.name);
      const frozen: HealthCheck = { ...check, tags: check.tags ? [...check.tags] : undefined };
      checks.set(check.name, frozen);
      return () => {
        if (checks.get(check.name) === frozen) checks.delete(check.name);
      };
    },
    setServiceStatus(service, status) {
      statusBoard.set(service, status);
    },
    async run(runOptions = {}) {
      const { tags, signal } = runOptions;
      signal?.throwIfAborted();
      const timestamp = new Date(wallClock()).toISOString();
      const started = now();
      const selected = [...checks.values()].filter(
        (c) => !tags || (c.tags ?? ['ready']).some((t) => tags.includes(t)),
      );
      const entries = await Promise.all(selected.map((c) => runOne(c, signal)));
      // A cancelled run has no meaningful answer: report the cancellation, not "unhealthy".
      signal?.throwIfAborted();
      return {
        status: aggregateStatus(entries),
        checks: entries,
        durationMs: now() - started,
        timestamp,
      };
    },
  };
}
