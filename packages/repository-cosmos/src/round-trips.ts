/**
 * Every SDK round trip of a repository goes through here: one `@mystira/resilience` retry loop
 * (honouring `x-ms-retry-after-ms` on 429/449, and 503 for reads; the SDK's own retries are off,
 * see `cosmosClient`), a deadline on every read, request charges (RU) summed per repository call
 * and reported to `onRequest` and `CallOptions.observe`, and the cross-partition hook.
 */
import type { Container, SqlQuerySpec } from '@azure/cosmos';
import {
  AbortedError,
  type CallObservation,
  type CallOptions,
  type Id,
  throwIfAborted,
} from '@mystira/repository';
import {
  cosmosHadNoEffect,
  isTransientCosmos,
  isTransientNetwork,
  networkHadNoEffect,
  type RetryOptions,
  type RetryPolicy,
  retry,
} from '@mystira/resilience';
import type { EntityDef } from '@mystira/specification';
import { ReadDeadline, withDeadline } from './deadline.js';
import { mapCosmosError } from './errors.js';
import type { Doc, DocMapping } from './mapping.js';
import type { CosmosRepositoryOptions } from './options.js';

/** Sums the cost of one repository call, and holds its read deadline. */
export class Meter {
  constructor(readonly deadline: ReadDeadline) {}
  requestCharge = 0;
  requests = 0;
  crossPartition = false;
  /** Of the last round trip (responses and errors both carry one). */
  activityId: string | undefined = undefined;
  add(charge: unknown, activityId?: unknown): void {
    this.requests++;
    const n = typeof charge === 'number' ? charge : Number(charge);
    if (Number.isFinite(n)) this.requestCharge += n;
    if (typeof activityId === 'string' && activityId !== '') this.activityId = activityId;
  }
  addError(err: unknown): void {
    const headers = (err as { headers?: Record<string, unknown> } | null)?.headers;
    this.add(headers?.['x-ms-request-charge'] ?? 0, headers?.['x-ms-activity-id']);
  }
  /** Reports the call to a `CallOptions.observe` hook. */
  report(observe: CallOptions['observe']): void {
    if (!observe) return;
    const facts: CallObservation = {
      requestCharge: this.requestCharge,
      requests: this.requests,
      crossPartition: this.crossPartition,
    };
    observe(this.activityId === undefined ? facts : { ...facts, activityId: this.activityId });
  }
}

/** The round trips of one repository: its container, retries, deadline and reporting. */
export class RoundTrips {
  readonly entity: EntityDef;
  readonly container: Container;
  readonly map: DocMapping;
  readonly #readRetry: RetryPolicy | null;
  readonly #writeRetry: RetryPolicy | null;
  readonly #onRequest: CosmosRepositoryOptions['onRequest'];
  readonly #onCross: CosmosRepositoryOptions['onCrossPartitionQuery'];
  readonly #readTimeoutMs: number;

  constructor(entity: EntityDef, map: DocMapping, options: CosmosRepositoryOptions) {
    this.entity = entity;
    this.container = options.container;
    this.map = map;
    // Reads repeat safely on 408/410/429/449/503 and network errors; writes only when the request
    // certainly did not run (429/449, a refused connection): a 503 write may have been applied.
    const shouldRetry = (err: unknown, ctx: { idempotent?: boolean }) =>
      isTransientCosmos(err, ctx) ||
      isTransientNetwork(err, ctx) ||
      cosmosHadNoEffect(err) ||
      networkHadNoEffect(err);
    const base: RetryOptions = {
      maxAttempts: 6,
      name: `cosmos:${entity.name}`,
      ...(options.retry || {}),
    };
    this.#readRetry =
      options.retry === false ? null : retry({ ...base, idempotent: true, shouldRetry });
    this.#writeRetry =
      options.retry === false ? null : retry({ ...base, idempotent: false, shouldRetry });
    this.#onRequest = options.onRequest;
    this.#onCross = options.onCrossPartitionQuery;
    this.#readTimeoutMs = options.readTimeoutMs ?? 60_000;
  }

  /** A fresh meter (and read deadline) for one repository call. */
  meter(): Meter {
    return new Meter(new ReadDeadline(this.#readTimeoutMs, this.entity.name));
  }

  /** Reports a finished call to `observe` and `onRequest`. */
  report(meter: Meter, operation: string, options: CallOptions, failed: boolean): void {
    meter.report(options.observe);
    this.#onRequest?.({
      entity: this.entity.name,
      operation,
      requestCharge: meter.requestCharge,
      requests: meter.requests,
      crossPartition: meter.crossPartition,
      failed,
    });
  }

  /** Tells `onCrossPartitionQuery` that `query` fans out over every partition. */
  crossPartition(meter: Meter, operation: string, query: SqlQuerySpec): void {
    meter.crossPartition = true;
    this.#onCross?.({ entity: this.entity.name, operation, query });
  }

  /** Runs one repository call: meters it, maps errors, reports the charge. */
  async call<R>(operation: string, options: CallOptions, fn: (m: Meter) => Promise<R>): Promise<R> {
    const signal = options.signal;
    throwIfAborted(signal, this.entity.name);
    const meter = this.meter();
    let failed = false;
    try {
      return await fn(meter);
    } catch (err) {
      failed = true;
      throw mapCosmosError(err, { entity: this.entity.name, signal });
    } finally {
      this.report(meter, operation, options, failed);
    }
  }

  /**
   * One SDK round trip under the retry policy; the charge of every attempt is metered. A read
   * (`idempotent`) runs against the call's deadline: its SDK call must take `readSignal`'s
   * signal so the deadline can abort it.
   */
  async send<R extends { requestCharge?: number }>(
    meter: Meter,
    idempotent: boolean,
    signal: AbortSignal | undefined,
    fn: () => Promise<R>,
  ): Promise<R> {
    const once = async () => {
      try {
        const r = await fn();
        meter.add(r.requestCharge, (r as { activityId?: unknown }).activityId);
        return r;
      } catch (err) {
        meter.addError(err);
        throw err;
      }
    };
    const policy = idempotent ? this.#readRetry : this.#writeRetry;
    const run = (s: AbortSignal | undefined) => (policy ? policy.execute(once, s) : once());
    try {
      return idempotent
        ? await meter.deadline.run(() => run(withDeadline(signal, meter.deadline)))
        : await run(signal);
    } catch (err) {
      if (signal?.aborted)
        throw new AbortedError('the operation was aborted', {
          entity: this.entity.name,
          cause: signal.reason,
        });
      if (meter.deadline.expired) throw meter.deadline.error(err);
      throw err;
    }
  }

  /** The signal a read's SDK call takes: the caller's and the call's deadline. */
  readSignal(meter: Meter, signal: AbortSignal | undefined): AbortSignal {
    return withDeadline(signal, meter.deadline);
  }

  /**
   * Pages of one server query, drained through continuation tokens. Pages may be short or empty
   * while more remain (cross-partition fan-out, RU-bounded pages), so only `hasMoreResults`
   * decides the end. `partitionKey` undefined: the query fans out over every partition.
   */
  async *pages<D = Record<string, unknown>>(
    meter: Meter,
    operation: string,
    spec: SqlQuerySpec,
    options: {
      partitionKey: string | number | boolean | undefined;
      batchSize?: number;
      signal: AbortSignal | undefined;
    },
  ): AsyncGenerator<D[]> {
    const { partitionKey, signal } = options;
    if (partitionKey === undefined) this.crossPartition(meter, operation, spec);
    const iterator = this.container.items.query<D>(spec, {
      ...(options.batchSize === undefined ? {} : { maxItemCount: options.batchSize }),
      ...(partitionKey === undefined ? {} : { partitionKey }),
      abortSignal: this.readSignal(meter, signal),
    });
    while (iterator.hasMoreResults()) {
      throwIfAborted(signal, this.entity.name);
      const page = await this.send(meter, true, signal, () => iterator.fetchNext());
      if (page.resources && page.resources.length > 0) yield page.resources;
      if (!page.hasMoreResults && !page.continuationToken) break;
    }
  }

  /**
   * The stored document of `id`: a point read when the partition key is known (given, or the id
   * itself), else a (cross-partition, reported) lookup by id.
   */
  async readDoc(
    meter: Meter,
    id: Id,
    partitionKey: string | number | boolean | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Doc | undefined> {
    const docId = this.map.docId(id);
    const pk = partitionKey ?? (this.map.partitionKeyField ? undefined : docId);
    if (pk === undefined) {
      // The partition key is another field and the caller did not give it: find the document.
      const spec: SqlQuerySpec = {
        query: 'SELECT * FROM c WHERE c.id = @id',
        parameters: [{ name: '@id', value: docId }],
      };
      for await (const page of this.pages<Doc>(meter, 'lookup', spec, {
        partitionKey: undefined,
        signal,
      })) {
        if (page[0]) return page[0];
      }
      return undefined;
    }
    const res = await this.send(meter, true, signal, () =>
      this.container.item(docId, pk).read<Doc>({ abortSignal: this.readSignal(meter, signal) }),
    );
    return res.statusCode === 404 ? undefined : res.resource;
  }
}
