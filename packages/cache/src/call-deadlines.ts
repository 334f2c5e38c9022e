/**
 * The timeout of every store call of one guarded store, on one shared timer.
 *
 * Every call of a store has the same timeout, so deadlines fall due in the order the calls
 * began: the calls in flight are a queue (a doubly linked list, so a call that settles leaves it
 * at once and nothing is retained), and one timer is armed for the oldest deadline. When it fires
 * it rejects the calls that are due and re-arms for the next one; a timer that finds nothing left
 * simply lapses. A `setTimeout` per call (and its `clearTimeout`) created and dropped Node's
 * timer list on every sequential call: most of the per-call cost of the timeout on the hit path
 * (see bench/cache-key.bench.ts).
 *
 * A call is rejected no earlier than its timeout, and a millisecond or two later at most (timers
 * count whole milliseconds), after the answers already waiting in the sockets have been read. The timer is unref'd: an in-flight call keeps the process alive
 * through its own socket, and an idle store never holds it open.
 */
import { TimeoutError } from '@mystira/resilience';

/** One call in flight: its deadline, how to reject it, and its neighbours in the queue. */
interface InFlight {
  readonly deadline: number;
  readonly reject: (error: unknown) => void;
  prev: InFlight | null;
  next: InFlight | null;
  /** Settled or timed out: no longer in the queue. */
  done: boolean;
}

export class CallDeadlines {
  readonly #timeoutMs: number;
  #oldest: InFlight | null = null;
  #newest: InFlight | null = null;
  #armed = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Settles with `promise`, or rejects with resilience's `TimeoutError` after the timeout. */
  race<R>(promise: Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const call = this.#enqueue(reject);
      promise.then(
        (value) => {
          this.#leave(call);
          resolve(value);
        },
        (error) => {
          this.#leave(call);
          reject(error);
        },
      );
    });
  }

  #enqueue(reject: (error: unknown) => void): InFlight {
    const call: InFlight = {
      deadline: performance.now() + this.#timeoutMs,
      reject,
      prev: this.#newest,
      next: null,
      done: false,
    };
    if (this.#newest) this.#newest.next = call;
    else this.#oldest = call;
    this.#newest = call;
    // An armed timer is due no later than this call: every call before it has an earlier deadline.
    if (!this.#armed) this.#arm(this.#timeoutMs);
    return call;
  }

  #leave(call: InFlight): void {
    if (call.done) return;
    call.done = true;
    if (call.prev) call.prev.next = call.next;
    else this.#oldest = call.next;
    if (call.next) call.next.prev = call.prev;
    else this.#newest = call.prev;
  }

  #arm(ms: number): void {
    this.#armed = true;
    const timer = setTimeout(() => this.#expire(), ms);
    timer.unref?.();
  }

  #expire(): void {
    // Reject on the next turn of the loop, after its poll phase, and only the calls that were
    // due when the timer fired: an event loop that fell behind (a long task, a GC pause) runs
    // due timers before it reads its sockets, so an answer that arrived in time would otherwise
    // lose to its own deadline, turning a busy moment into misses and reloads that make the loop
    // fall further behind. The timer stays "armed" until then, so calls begun meanwhile do not
    // arm another; they are due later and wait for the next one.
    const firedAt = performance.now();
    setImmediate(() => this.#rejectDue(firedAt));
  }

  #rejectDue(firedAt: number): void {
    this.#armed = false;
    let call = this.#oldest;
    while (call && call.deadline <= firedAt) {
      this.#leave(call);
      call.reject(new TimeoutError(this.#timeoutMs));
      call = this.#oldest;
    }
    const now = performance.now();
    // setTimeout counts whole milliseconds: wait at least one for the rest.
    if (call) this.#arm(Math.max(1, Math.ceil(call.deadline - now)));
  }
}
