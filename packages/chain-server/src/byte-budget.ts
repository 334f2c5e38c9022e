/**
 * How many request-body bytes the server holds at once, per connection and in all. A client that
 * opens many streams and sends part of each cannot make the server keep more than
 * `perConnection` bytes for it, and all clients together no more than `total`: a body that would
 * go over is refused with RESOURCE_EXHAUSTED (and RetryInfo), while the others are served.
 *
 * The lean path charges the bytes it keeps as they arrive and refunds them when it stops keeping
 * them; requests the Connect router reads are charged around it (src/router-guard.ts) until their
 * body ends.
 */
import type { ConnectError } from '@connectrpc/connect';
import { retryLater } from './retry-later.js';

/** Held bytes are freed as calls finish, so a short wait is enough. */
const RETRY_AFTER_MS = 1000;

export class ByteBudget {
  private readonly byConnection = new WeakMap<object, number>();
  private used = 0;

  constructor(
    readonly perConnection: number,
    readonly total: number,
  ) {}

  /** Bytes held now, over all connections. */
  get bufferedBytes(): number {
    return this.used;
  }

  /** Charges `n` bytes to `connection`; returns the refusal when that would go over a limit. */
  charge(connection: object, n: number): ConnectError | undefined {
    const mine = this.byConnection.get(connection) ?? 0;
    if (mine + n > this.perConnection) {
      return retryLater(
        `this connection already has ${mine} request bytes in flight (limit ${this.perConnection})`,
        RETRY_AFTER_MS,
      );
    }
    if (this.used + n > this.total) {
      return retryLater(
        `the server holds too many request bytes (limit ${this.total}); retry later`,
        RETRY_AFTER_MS,
      );
    }
    this.byConnection.set(connection, mine + n);
    this.used += n;
    return undefined;
  }

  refund(connection: object, n: number): void {
    if (n <= 0) return;
    const mine = this.byConnection.get(connection) ?? 0;
    this.byConnection.set(connection, Math.max(0, mine - n));
    this.used = Math.max(0, this.used - n);
  }
}
