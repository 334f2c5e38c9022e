/**
 * The in-memory adapter: the embedded default (demos, unit tests, `npm run demo`) and the
 * reference the other adapters are compared with. Queries run through the specification's own
 * evaluator, so memory answers are the semantics table by definition. Items are deep-copied in
 * and out, so callers can never mutate the store behind its back.
 */
import type { EntityDef, InferShape, Shape } from '@mystira/specification';
import { checkId, clone, expectedVersionOf, idOf, prepareForWrite, withVersion } from './core.js';
import { type CursorCodec, defaultCursorCodec } from './cursor.js';
import { AlreadyExistsError, ConcurrencyError, NotFoundError, throwIfAborted } from './errors.js';
import { InMemoryQueries } from './memory-queries.js';
import type {
  CallOptions,
  DeclaredEntity,
  Id,
  Repository,
  RepositoryBackend,
  WriteOptions,
} from './port.js';

interface Stored<T> {
  item: T;
  version: number;
}

/** Options of {@link MemoryRepository} (`memoryRepository`). */
export interface MemoryRepositoryOptions {
  /** Items to start with (added as by `addMany`). */
  seed?: readonly object[];
  /** Signs and checks page cursors (default: the process-wide codec, see `defaultCursorCodec`). */
  cursors?: CursorCodec;
}

const key = (id: Id): string => `${typeof id}:${id}`;

/** A `Repository<T>` held in a Map. Single-process; writes are atomic because JS is single-threaded. */
export class MemoryRepository<T extends object>
  extends InMemoryQueries<T>
  implements Repository<T>
{
  readonly #items = new Map<string, Stored<T>>();
  readonly backend: RepositoryBackend;

  constructor(entity: EntityDef, options: MemoryRepositoryOptions = {}) {
    super(entity, options.cursors ?? defaultCursorCodec());
    this.backend = { system: 'memory', collection: entity.name };
    for (const item of options.seed ?? []) this.#insert(item as T);
  }

  /** Number of stored items (for tests and diagnostics). */
  get size(): number {
    return this.#items.size;
  }

  #out(s: Stored<T>): T {
    return clone(withVersion(this.entity, s.item, s.version));
  }

  #insert(item: T): T {
    const stored = clone(prepareForWrite(this.entity, item, 1));
    const id = idOf(this.entity, stored);
    if (this.#items.has(key(id))) {
      throw new AlreadyExistsError(`${this.entity.name} "${id}" already exists`, {
        entity: this.entity.name,
        id,
      });
    }
    const s = { item: stored, version: 1 };
    this.#items.set(key(id), s);
    return this.#out(s);
  }

  protected snapshot(): T[] {
    return [...this.#items.values()].map((s) => s.item);
  }

  async getById(id: Id, options: CallOptions = {}): Promise<T | undefined> {
    throwIfAborted(options.signal, this.entity.name);
    const s = this.#items.get(key(checkId(this.entity, id)));
    return s ? this.#out(s) : undefined;
  }

  async getMany(ids: readonly Id[], options: CallOptions = {}): Promise<T[]> {
    throwIfAborted(options.signal, this.entity.name);
    const out: T[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const k = key(checkId(this.entity, id));
      if (seen.has(k)) continue;
      seen.add(k);
      const s = this.#items.get(k);
      if (s) out.push(this.#out(s));
    }
    return out;
  }

  async add(item: T, options: CallOptions = {}): Promise<T> {
    throwIfAborted(options.signal, this.entity.name);
    return this.#insert(item);
  }

  async addMany(items: readonly T[], options: CallOptions = {}): Promise<T[]> {
    throwIfAborted(options.signal, this.entity.name);
    // All or none: validate and check every id before storing any.
    const prepared = items.map((item) => clone(prepareForWrite(this.entity, item, 1)));
    const ids = new Set<string>();
    for (const p of prepared) {
      const id = idOf(this.entity, p);
      const k = key(id);
      if (this.#items.has(k) || ids.has(k)) {
        throw new AlreadyExistsError(`${this.entity.name} "${id}" already exists`, {
          entity: this.entity.name,
          id,
        });
      }
      ids.add(k);
    }
    return prepared.map((p) => this.#insert(p));
  }

  /**
   * The stored item under `k`, for a write that requires it: `NotFoundError` when there is none,
   * `ConcurrencyError` when `expected` (null: any) is not its version.
   */
  #current(k: string, id: Id, expected: number | null): Stored<T> {
    const current = this.#items.get(k);
    if (!current)
      throw new NotFoundError(`${this.entity.name} "${id}" not found`, {
        entity: this.entity.name,
        id,
      });
    if (expected !== null && expected !== current.version) {
      throw new ConcurrencyError(
        `${this.entity.name} "${id}" is at version ${current.version}, not ${expected}`,
        {
          entity: this.entity.name,
          id,
          expectedVersion: expected,
          actualVersion: current.version,
        },
      );
    }
    return current;
  }

  async update(item: T, options: WriteOptions = {}): Promise<T> {
    throwIfAborted(options.signal, this.entity.name);
    const id = idOf(this.entity, item);
    const expected = expectedVersionOf(this.entity, item, options.expectedVersion);
    const current = this.#current(key(id), id, expected);
    const version = current.version + 1;
    const s = { item: clone(prepareForWrite(this.entity, item, version)), version };
    this.#items.set(key(id), s);
    return this.#out(s);
  }

  async upsert(item: T, options: CallOptions = {}): Promise<T> {
    throwIfAborted(options.signal, this.entity.name);
    const id = idOf(this.entity, item);
    const current = this.#items.get(key(id));
    const version = current ? current.version + 1 : 1;
    const s = { item: clone(prepareForWrite(this.entity, item, version)), version };
    this.#items.set(key(id), s);
    return this.#out(s);
  }

  async delete(id: Id, options: WriteOptions = {}): Promise<void> {
    throwIfAborted(options.signal, this.entity.name);
    const k = key(checkId(this.entity, id));
    this.#current(k, id, options.expectedVersion ?? null);
    this.#items.delete(k);
  }
}

/**
 * Creates an in-memory repository for `entity`, of the entity's item type
 * (`memoryRepository(Product)` is a `MemoryRepository<Infer<typeof Product>>`) or of the `T` named
 * (`memoryRepository<ProductT>(Product)`); see `DeclaredEntity`.
 */
export function memoryRepository<S extends Shape>(
  entity: DeclaredEntity<S>,
  options?: MemoryRepositoryOptions,
): MemoryRepository<InferShape<S>>;
export function memoryRepository<T extends object>(
  entity: EntityDef,
  options?: MemoryRepositoryOptions,
): MemoryRepository<T>;
export function memoryRepository(
  entity: EntityDef,
  options?: MemoryRepositoryOptions,
): MemoryRepository<object> {
  return new MemoryRepository(entity, options);
}
