/**
 * Writing many items: `addMany` (all-or-none: a transactional batch when the profile has an
 * atomic one and every item shares a partition key, else bulk creates undone on failure) and
 * `bulk` (the SDK's bulk API, 100 operations per request, each succeeding or failing on its own,
 * throttled operations resubmitted after the server's wait).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ItemDefinition, OperationInput } from '@azure/cosmos';
import {
  AbortedError,
  AlreadyExistsError,
  checkId,
  type Id,
  idOf,
  prepareForWrite,
  throwIfAborted,
} from '@mystira/repository';
import { mapCosmosError } from './errors.js';
import type { Meter, RoundTrips } from './round-trips.js';

/** One operation of `bulk`. */
export type CosmosBulkOperation<T> =
  | {
      /** Creates an item (fails if it exists). */
      readonly type: 'create';
      /** The item. */
      readonly item: T;
    }
  | {
      /** Deletes an item. */
      readonly type: 'delete';
      /** The item's id. */
      readonly id: Id;
      /** Its partition key value, when the entity's partition key is not its id. */
      readonly partitionKey?: string | number | boolean;
    };

/** The outcome of one operation of `bulk`, with the request units it cost. */
export type CosmosBulkResult<T> =
  | {
      /** The operation succeeded. */
      readonly ok: true;
      /** The created item (as stored), for a create. */
      readonly item?: T;
      /** Request units the operation cost. */
      readonly requestCharge: number;
    }
  | {
      /** The operation failed; the others still ran. */
      readonly ok: false;
      /** Why, as a repository error (e.g. `AlreadyExistsError`, `NotFoundError`). */
      readonly error: Error;
      /** Request units the operation cost. */
      readonly requestCharge: number;
    };

/** The bulk writes of one repository. */
export class BulkWrites<T extends object> {
  readonly #trips: RoundTrips;
  readonly #atomicBatch: boolean;

  constructor(trips: RoundTrips, atomicBatch: boolean) {
    this.#trips = trips;
    this.#atomicBatch = atomicBatch;
  }

  /** The caller's view of a document (the version field, when declared, is part of the item). */
  #out(doc: Record<string, unknown>): T {
    return this.#trips.map.fromDoc<T>(doc).item;
  }

  /** Creates every item or none (see the module comment); rejects duplicate ids in the input. */
  async addMany(m: Meter, items: readonly T[], signal: AbortSignal | undefined): Promise<T[]> {
    // Validate everything and reject duplicates in the input before writing anything.
    const prepared = items.map((item) => prepareForWrite(this.#trips.entity, item, 1));
    const seen = new Set<string>();
    for (const p of prepared) {
      const id = idOf(this.#trips.entity, p);
      const key = this.#trips.map.docId(id);
      if (seen.has(key)) {
        throw new AlreadyExistsError(`${this.#trips.entity.name} "${id}" already exists`, {
          entity: this.#trips.entity.name,
          id,
        });
      }
      seen.add(key);
    }
    if (prepared.length === 0) return [];
    const pks = new Set(prepared.map((p) => JSON.stringify(this.#trips.map.partitionKeyOf(p))));
    if (this.#atomicBatch && pks.size === 1 && prepared.length <= 100) {
      return this.#batchCreate(m, prepared, signal);
    }
    const results = await this.run(
      m,
      prepared.map((item) => ({ type: 'create' as const, item })),
      signal,
    );
    const failed = results.findIndex((r) => !r.ok);
    if (failed < 0) return results.map((r) => (r as { item: T }).item);
    // Not atomic across partitions: undo what was created (best effort), then report.
    const undo = results.flatMap((r, i) =>
      r.ok ? [{ type: 'delete' as const, id: idOf(this.#trips.entity, prepared[i]!) }] : [],
    );
    if (undo.length > 0) await this.run(m, undo, undefined).catch(() => undefined);
    throw (results[failed] as { error: Error }).error;
  }

  async #batchCreate(m: Meter, prepared: T[], signal: AbortSignal | undefined): Promise<T[]> {
    const pk = this.#trips.map.partitionKeyOf(prepared[0]!);
    const ops: OperationInput[] = prepared.map((p) => ({
      operationType: 'Create',
      resourceBody: this.#trips.map.toDoc(p, 1) as ItemDefinition & Record<string, unknown>,
    })) as OperationInput[];
    const res = await this.#trips.send(m, false, signal, async () => {
      const r = await this.#trips.container.items.batch(ops, pk, { abortSignal: signal });
      return {
        ...r,
        requestCharge: r.result?.reduce((s, x) => s + (x.requestCharge ?? 0), 0) ?? 0,
      };
    });
    const results = res.result ?? [];
    const bad = results.findIndex((r) => r.statusCode >= 400 && r.statusCode !== 424);
    if (bad >= 0) {
      const id = idOf(this.#trips.entity, prepared[bad]!);
      throw mapCosmosError(
        Object.assign(new Error(`batch operation failed (${results[bad]!.statusCode})`), {
          code: results[bad]!.statusCode,
        }),
        {
          entity: this.#trips.entity.name,
          id,
          notFound: 'item',
        },
      );
    }
    return results.map((r) => this.#out(r.resourceBody as Record<string, unknown>));
  }

  /**
   * Runs create/delete operations with the SDK's bulk API (100 per request), retrying throttled
   * operations (429/449) after the wait the server asked for. Not atomic.
   */
  async run(
    m: Meter,
    operations: readonly CosmosBulkOperation<T>[],
    signal: AbortSignal | undefined,
  ): Promise<CosmosBulkResult<T>[]> {
    const results: CosmosBulkResult<T>[] = new Array(operations.length);
    const inputs: OperationInput[] = operations.map((op) => {
      if (op.type === 'create') {
        const prepared = prepareForWrite(this.#trips.entity, op.item, 1);
        return {
          operationType: 'Create',
          resourceBody: this.#trips.map.toDoc(prepared, 1) as ItemDefinition &
            Record<string, unknown>,
        } as OperationInput;
      }
      const id = checkId(this.#trips.entity, op.id);
      const docId = this.#trips.map.docId(id);
      const pk = op.partitionKey ?? (this.#trips.map.partitionKeyField ? undefined : docId);
      if (pk === undefined)
        throw new TypeError('bulk delete needs the partitionKey when it is not the id');
      return { operationType: 'Delete', id: docId, partitionKey: pk } as OperationInput;
    });
    let pending = operations.map((_, i) => i);
    for (let attempt = 0; pending.length > 0; attempt++) {
      throwIfAborted(signal, this.#trips.entity.name);
      const throttled: number[] = [];
      let wait = 0;
      for (let i = 0; i < pending.length; i += 100) {
        const chunk = pending.slice(i, i + 100);
        const res = await this.#trips.send(m, false, signal, async () => {
          const r = await this.#trips.container.items
            .bulk(
              chunk.map((k) => inputs[k]!),
              { continueOnError: true },
              { abortSignal: signal },
            )
            .catch((err: unknown) => {
              // The SDK wraps a failed bulk request in a plain Error; the Cosmos error (status,
              // x-ms-retry-after-ms) is its cause, and that is what the retry must see.
              const cause = (err as { cause?: unknown } | null)?.cause;
              throw cause !== undefined && (cause as { code?: unknown }).code !== undefined
                ? cause
                : err;
            });
          return Object.assign(r, {
            requestCharge: r.reduce((s, x) => s + (x?.requestCharge ?? 0), 0),
          });
        });
        res.forEach((r, j) => {
          const k = chunk[j]!;
          const op = operations[k]!;
          const status = r?.statusCode ?? 500;
          if ((status === 429 || status === 449) && attempt < 5) {
            throttled.push(k);
            const hint = Number(
              (r as { retryAfterMilliseconds?: number }).retryAfterMilliseconds ?? 0,
            );
            wait = Math.max(wait, Number.isFinite(hint) && hint > 0 ? hint : 100 * 2 ** attempt);
            return;
          }
          const id = op.type === 'create' ? idOf(this.#trips.entity, op.item) : op.id;
          if (status < 400) {
            results[k] = {
              ok: true,
              item:
                op.type === 'create'
                  ? this.#out(r!.resourceBody as Record<string, unknown>)
                  : undefined,
              requestCharge: r?.requestCharge ?? 0,
            };
          } else {
            results[k] = {
              ok: false,
              error: mapCosmosError(
                Object.assign(new Error(`bulk ${op.type} failed (${status})`), { code: status }),
                {
                  entity: this.#trips.entity.name,
                  id,
                  notFound: 'item',
                },
              ) as Error,
              requestCharge: r?.requestCharge ?? 0,
            };
          }
        });
      }
      pending = throttled;
      if (pending.length > 0) await sleep(Math.min(wait, 60_000), signal);
    }
    return results;
  }
}

/** Waits `ms`; rejects at once with `AbortedError` (the signal's reason on `cause`) when `signal` fires. */
async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // The timer rejects only when the signal fires.
    throw new AbortedError('the operation was aborted', { cause: signal?.reason });
  }
}
