/**
 * The serving status of one gRPC service, with the names of grpc.health.v1
 * (`HealthCheckResponse.ServingStatus`): what Kubernetes gRPC probes and grpc_health_probe read.
 */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING';

const servingStatuses: ReadonlySet<string> = new Set(['UNKNOWN', 'SERVING', 'NOT_SERVING']);

/** Called with the service whose status changed and its new status (`undefined` when cleared). */
export type StatusListener = (service: string, status: ServingStatus | undefined) => void;

/**
 * Per-service serving statuses that a host sets by hand (e.g. NOT_SERVING while a service warms up
 * or drains), read by the grpc.health.v1 service and by `/readyz`. The empty service name `""`
 * stands for the server as a whole; when it is not set, the overall status is derived from the
 * registry's checks instead.
 */
export class HealthStatusBoard {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #listeners = new Set<StatusListener>();
  #shutDown = false;
  #beforeShutdown = new Map<string, ServingStatus>();

  /** Sets a service's status; listeners (e.g. open Watch streams) hear about real changes only. */
  set(service: string, status: ServingStatus): void {
    if (typeof service !== 'string') throw new TypeError('service must be a string');
    if (!servingStatuses.has(status)) {
      throw new TypeError(
        `status must be one of UNKNOWN, SERVING, NOT_SERVING, got ${String(status)}`,
      );
    }
    // After shutdown() the server is going away: a late SERVING from a warm-up task must not
    // tell the load balancer to send traffic again (resume() re-opens the board).
    if (this.#shutDown && status !== 'NOT_SERVING') return;
    if (this.#statuses.get(service) === status) return;
    this.#statuses.set(service, status);
    this.#emit(service, status);
  }

  /** The status set for a service, or `undefined` when none was set. */
  get(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** Forgets a service: Check answers NOT_FOUND for it again (or derives "" from the checks). */
  clear(service: string): void {
    if (this.#statuses.delete(service)) this.#emit(service, undefined);
  }

  /** A snapshot of every status set by hand. */
  entries(): Map<string, ServingStatus> {
    return new Map(this.#statuses);
  }

  /**
   * Marks every known service and the server as a whole NOT_SERVING and ignores later SERVING
   * updates until {@link resume}: call it first in a graceful shutdown so probes and load
   * balancers stop routing here while in-flight calls finish.
   */
  shutdown(): void {
    if (!this.#shutDown) this.#beforeShutdown = new Map(this.#statuses);
    this.#shutDown = true;
    for (const service of new Set(['', ...this.#statuses.keys()])) this.set(service, 'NOT_SERVING');
  }

  /**
   * Re-opens the board after {@link shutdown}: every service gets back the status it had before,
   * and one that had none (e.g. `""`, derived from the checks) is cleared again.
   */
  resume(): void {
    if (!this.#shutDown) return;
    this.#shutDown = false;
    const before = this.#beforeShutdown;
    this.#beforeShutdown = new Map();
    for (const service of [...this.#statuses.keys()]) {
      const status = before.get(service);
      if (status === undefined) this.clear(service);
      else this.set(service, status);
    }
  }

  /** True between {@link shutdown} and {@link resume}. */
  get isShutDown(): boolean {
    return this.#shutDown;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #emit(service: string, status: ServingStatus | undefined): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(service, status);
      } catch {
        // A broken listener must not stop the others (or the caller's set()).
      }
    }
  }
}
