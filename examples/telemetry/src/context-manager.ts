/**
 * The OpenTelemetry context manager of the example hosts: `AsyncLocalStorageContextManager` with
 * a `with()` that costs one AsyncLocalStorage frame instead of two.
 *
 * On Node 24 an AsyncLocalStorage lives in async context frames (a Map per frame), and
 * `AsyncLocalStorage.run()` makes two of them: one to enter the store, and a second, new one
 * to put the previous store back, each copying the current frame. Every call a host serves runs
 * inside a `context.with()` (its span's context), sampled or not, so that was about 500 bytes
 * and two Map copies per call. Here `with()` enters the context inside an `AsyncResource` made
 * for the call: the resource captured the current frame and sets that very frame back when
 * `fn` returns, so nothing is made to restore it. The same holds where AsyncLocalStorage still
 * rides on async hooks (Node without async context frames): the store is then set on the
 * resource, which stops being the current one when `fn` returns.
 *
 * `bind()` (functions and event emitters) is the parent's, on top of this `with()`.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { type Context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** No destroy hook per call: nothing listens for one. */
const RESOURCE_OPTIONS = { requireManualDestroy: true };

export class FrameContextManager extends AsyncLocalStorageContextManager {
  // Ours rather than the parent's (private to it): every method that reads or writes the store
  // is overridden below, so the parent's is never used.
  readonly #storage = new AsyncLocalStorage<Context>();

  override active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const resource = new AsyncResource('mystira.otel.context', RESOURCE_OPTIONS);
    return resource.runInAsyncScope(
      this.#enterAndCall,
      this,
      context,
      fn,
      thisArg,
      args,
    ) as ReturnType<F>;
  }

  override attach(context: Context): { dispose(): void } {
    const previous = this.active();
    this.#storage.enterWith(context);
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.#storage.enterWith(previous);
      },
    };
  }

  override disable(): this {
    this.#storage.disable();
    return this;
  }

  /** Runs in the call's resource: the context entered here is gone when the resource exits. */
  #enterAndCall<A extends unknown[], R>(
    context: Context,
    fn: (...args: A) => R,
    thisArg: unknown,
    args: A,
  ): R {
    this.#storage.enterWith(context);
    return fn.apply(thisArg, args);
  }
}
