/**
 * The success and failure events cockatiel's `IPolicy` asks of every policy, for the policies
 * this package writes itself (retry, hedge, rate limit): listeners subscribe with `onSuccess` and
 * `onFailure`, the policy reports through `emitSuccess` and `emitFailure`.
 */
import { type Event, EventEmitter, type IFailureEvent, type ISuccessEvent } from 'cockatiel';

export abstract class PolicyEvents {
  declare readonly _altReturn: never;
  readonly #success = new EventEmitter<ISuccessEvent>();
  readonly #failure = new EventEmitter<IFailureEvent>();
  readonly onSuccess: Event<ISuccessEvent> = this.#success.addListener;
  readonly onFailure: Event<IFailureEvent> = this.#failure.addListener;

  /** Emits `onSuccess`. `duration` is only called when somebody listens (it may read a clock). */
  protected emitSuccess(duration: () => number): void {
    if (this.#success.size) this.#success.emit({ duration: duration() });
  }

  /**
   * Emits `onFailure`: `handled` for the policy's own verdicts (a refusal, a give-up), not for an
   * error of the function that passes through. `duration` as for {@link emitSuccess}.
   */
  protected emitFailure(duration: () => number, error: unknown, handled = true): void {
    if (this.#failure.size)
      this.#failure.emit({ duration: duration(), handled, reason: { error } });
  }
}
