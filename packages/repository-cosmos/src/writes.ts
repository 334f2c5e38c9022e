/**
 * Writing one item: create, replace, create-or-replace and delete, with the version kept in the
 * document and checked with its `_etag` (`If-Match`), so "read, modify, write" is safe against
 * concurrent writers: a lost race is a `ConcurrencyError` carrying the version now stored.
 */
import {
  type CallOptions,
  ConcurrencyError,
  checkId,
  expectedVersionOf,
  type Id,
  idOf,
  NotFoundError,
  prepareForWrite,
  UnavailableError,
} from '@mystira/repository';
import { mapCosmosError } from './errors.js';
import type { Doc } from './mapping.js';
import type { CosmosWriteOptions } from './options.js';
import type { Meter, RoundTrips } from './round-trips.js';

/** The single-item writes of one repository. */
export class ItemWrites<T extends object> {
  readonly #trips: RoundTrips;

  constructor(trips: RoundTrips) {
    this.#trips = trips;
  }

  /** The caller's view of a document (the version field, when declared, is part of the item). */
  #out(doc: Record<string, unknown>): T {
    return this.#trips.map.fromDoc<T>(doc).item;
  }

  /** The stored document of `id` and what it holds, for a write that needs it: else `NotFoundError`. */
  async #required(
    m: Meter,
    id: Id,
    pk: string | number | boolean | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ current: Doc; stored: { item: T; version: number } }> {
    const current = await this.#trips.readDoc(m, id, pk, signal);
    if (!current)
      throw new NotFoundError(`${this.#trips.entity.name} "${id}" not found`, {
        entity: this.#trips.entity.name,
        id,
      });
    return { current, stored: this.#trips.map.fromDoc<T>(current) };
  }

  /** Creates the item at version 1; `AlreadyExistsError` when its id is taken. */
  async add(m: Meter, item: T, options: CallOptions): Promise<T> {
    const prepared = prepareForWrite(this.#trips.entity, item, 1);
    const id = idOf(this.#trips.entity, prepared);
    try {
      const res = await this.#trips.send(m, false, options.signal, () =>
        this.#trips.container.items.create(this.#trips.map.toDoc(prepared, 1), {
          abortSignal: options.signal,
        }),
      );
      return this.#out(res.resource as Record<string, unknown>);
    } catch (err) {
      throw mapCosmosError(err, {
        entity: this.#trips.entity.name,
        id,
        signal: options.signal,
        notFound: 'item',
      });
    }
  }

  /** Replaces the stored item if its version (or `ifMatch` etag) is still the expected one. */
  async update(m: Meter, item: T, options: CosmosWriteOptions): Promise<T> {
    const id = idOf(this.#trips.entity, item);
    prepareForWrite(this.#trips.entity, item, 1); // validate before any round trip
    const pk = options.partitionKey ?? this.#trips.map.partitionKeyOf(item);
    const { current, stored } = await this.#required(m, id, pk, options.signal);
    const expected = options.ifMatch
      ? null
      : expectedVersionOf(this.#trips.entity, item, options.expectedVersion);
    if (expected !== null && expected !== stored.version) {
      throw this.#stale(id, expected, stored.version);
    }
    const version = stored.version + 1;
    const doc = this.#trips.map.toDoc(prepareForWrite(this.#trips.entity, item, version), version);
    const etag = options.ifMatch ?? current._etag!;
    try {
      const res = await this.#trips.send(m, false, options.signal, () =>
        this.#trips.container.item(doc.id, pk).replace(doc, {
          accessCondition: { type: 'IfMatch', condition: etag },
          abortSignal: options.signal,
        }),
      );
      return this.#out(res.resource as Record<string, unknown>);
    } catch (err) {
      throw await this.#writeConflict(m, err, id, pk, expected ?? stored.version, options.signal);
    }
  }

  /** Creates the item or replaces it at the next version, retried when it loses a race. */
  async upsert(m: Meter, item: T, options: CallOptions): Promise<T> {
    const id = idOf(this.#trips.entity, item);
    prepareForWrite(this.#trips.entity, item, 1);
    const pk = this.#trips.map.partitionKeyOf(item);
    // Versions must increment atomically: create-if-absent or replace-if-unchanged, retried on a race.
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.#trips.readDoc(m, id, pk, options.signal);
      try {
        if (!current) {
          const res = await this.#trips.send(m, false, options.signal, () =>
            this.#trips.container.items.create(
              this.#trips.map.toDoc(prepareForWrite(this.#trips.entity, item, 1), 1),
              {
                abortSignal: options.signal,
              },
            ),
          );
          return this.#out(res.resource as Record<string, unknown>);
        }
        const version = this.#trips.map.fromDoc<T>(current).version + 1;
        const doc = this.#trips.map.toDoc(
          prepareForWrite(this.#trips.entity, item, version),
          version,
        );
        const res = await this.#trips.send(m, false, options.signal, () =>
          this.#trips.container.item(doc.id, pk).replace(doc, {
            accessCondition: { type: 'IfMatch', condition: current._etag! },
            abortSignal: options.signal,
          }),
        );
        return this.#out(res.resource as Record<string, unknown>);
      } catch (err) {
        const status = (err as { code?: unknown }).code;
        if (status === 409 || status === 412 || status === 404) continue; // lost a race: read again
        throw err;
      }
    }
    throw new UnavailableError(
      `${this.#trips.entity.name} "${id}": upsert kept losing races with other writers`,
      {
        entity: this.#trips.entity.name,
        id,
      },
    );
  }

  /** Deletes the item, checking its version (or `ifMatch` etag) when the caller gives one. */
  async delete(m: Meter, id: Id, options: CosmosWriteOptions): Promise<void> {
    checkId(this.#trips.entity, id);
    const docId = this.#trips.map.docId(id);
    let pk = options.partitionKey ?? (this.#trips.map.partitionKeyField ? undefined : docId);
    const expected = options.expectedVersion ?? null;
    let etag = options.ifMatch;
    if (expected !== null || pk === undefined) {
      const { current, stored } = await this.#required(m, id, pk, options.signal);
      if (expected !== null && expected !== stored.version)
        throw this.#stale(id, expected, stored.version);
      pk ??= this.#trips.map.partitionKeyOf(stored.item);
      if (expected !== null) etag ??= current._etag;
    }
    try {
      await this.#trips.send(m, false, options.signal, () =>
        this.#trips.container.item(docId, pk).delete({
          ...(etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {}),
          abortSignal: options.signal,
        }),
      );
    } catch (err) {
      throw await this.#writeConflict(m, err, id, pk, expected ?? 0, options.signal);
    }
  }

  #stale(id: Id, expected: number, actual: number | undefined): ConcurrencyError {
    return new ConcurrencyError(
      `${this.#trips.entity.name} "${id}" is at version ${actual ?? '(deleted)'}, not ${expected}`,
      { entity: this.#trips.entity.name, id, expectedVersion: expected, actualVersion: actual },
    );
  }

  /** 412 -> ConcurrencyError (with the version now stored), 404 -> NotFoundError, else mapped. */
  async #writeConflict(
    m: Meter,
    err: unknown,
    id: Id,
    pk: string | number | boolean,
    expected: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const status = (err as { code?: unknown } | null)?.code;
    if (status === 412) {
      const now = await this.#trips.readDoc(m, id, pk, signal).catch(() => undefined);
      return this.#stale(id, expected, now ? this.#trips.map.fromDoc(now).version : undefined);
    }
    return mapCosmosError(err, { entity: this.#trips.entity.name, id, signal, notFound: 'item' });
  }
}
