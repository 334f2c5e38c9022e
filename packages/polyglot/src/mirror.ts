/**
 * The secondary side of a dual write. The port's writes cannot say "store this at version 7":
 * `add` starts at 1 and every write increments. A mirror needs exactly that, so replays can be
 * version-gated (an older version never overwrites a newer one) and the secondary keeps the
 * primary's versions (so an item read from either store can be updated through the other).
 *
 * `MirrorStore` is that capability. Each adapter package provides one next to its repository
 * (`postgresMirror` in `@mystira/repository-postgres`); `memoryMirror` here is the reference.
 * Every gated write is atomic per id: the gate's read and the write cannot interleave with
 * another gated write of the same id.
 */

import {
  AlreadyExistsError,
  type CallOptions,
  ConcurrencyError,
  type CursorCodec,
  checkId,
  clone,
  type DeclaredEntity,
  defaultCursorCodec,
  expectedVersionOf,
  type Id,
  InMemoryQueries,
  idOf,
  NotFoundError,
  prepareForWrite,
  type Repository,
  throwIfAborted,
  type WriteOptions,
  withVersion,
} from '@mystira/repository';
import type { EntityDef, InferShape, Shape } from '@mystira/specification';
import { diffItems } from './diff.js';

/** What the mirror holds for one id: a live item at a version, or a tombstone at a version. */
export interface MirrorHead {
  /** The primary version it was written at. */
  readonly version: number;
  /** Whether it is a tombstone (the item was deleted at `version`). */
  readonly deleted: boolean;
}

/**
 * - `applied`: the write took effect.
 * - `stale`: the mirror already holds this version or a newer one (nothing changed).
 * - `tombstoned`: a tombstone at this version or newer blocks the write (the item was deleted
 *   after the version being written; only a write that `expect`s the tombstone replaces it).
 * - `conflict`: `expect` was given and the head was something else (nothing changed).
 */
export type MirrorResult = 'applied' | 'stale' | 'tombstoned' | 'conflict';

/** Options of the gated writes of a {@link MirrorStore} (`put`, `remove`). */
export interface MirrorWriteOptions<T extends object = object> extends CallOptions {
  /**
   * Compare-and-set instead of the version gate: apply only when the current head equals this
   * (`null`: nothing stored and no tombstone). Used by replays that have just read the primary's
   * truth after reading this head, e.g. to replace a tombstone with a re-created item.
   */
  expect?: MirrorHead | null;
  /**
   * `remove` only: delete only when the stored item equals this one (the item the primary
   * deleted). Versions restart at 1 when an id is deleted and re-created, so a version alone
   * cannot tell the deleted generation from a new one; the content can.
   */
  match?: T;
}

/**
 * A deletion the mirror remembers, so a late write of an older version cannot bring the item back.
 */
export interface Tombstone {
  /** The deleted item's id. */
  readonly id: Id;
  /** The version it was deleted at. */
  readonly version: number;
  /** When the tombstone was written (ms since epoch). */
  readonly at: number;
}

/**
 * The secondary of a polyglot binding: a store written at the primary's versions, through a version
 * gate, so replays and backfills converge whatever their order (`postgresMirror` of
 * `@mystira/repository-postgres`, or {@link MemoryMirror}).
 */
export interface MirrorStore<T extends object> {
  /** The entity mirrored. */
  readonly entity: EntityDef;
  /** The secondary as a plain repository: reads in secondary-read phases, all of `SecondaryOnly`. */
  readonly repository: Repository<T>;
  /** The live version or tombstone of `id`, or undefined when the mirror knows nothing of it. */
  head(id: Id, options?: CallOptions): Promise<MirrorHead | undefined>;
  /** Heads of many ids (missing ids are absent from the map). */
  heads(ids: readonly Id[], options?: CallOptions): Promise<Map<Id, MirrorHead>>;
  /** Stores `item` at exactly `version`, unless the gate (or `expect`) says otherwise. */
  put(item: T, version: number, options?: MirrorWriteOptions): Promise<MirrorResult>;
  /**
   * Many `put`s without `expect` (backfill). Returns one result per item, in order. Adapters
   * batch this into a few statements.
   */
  putMany(
    entries: readonly { item: T; version: number }[],
    options?: CallOptions,
  ): Promise<MirrorResult[]>;
  /**
   * Deletes `id` if the stored version is at most `version` and leaves a tombstone at `version`
   * (kept when a newer tombstone exists). With `expect`, deletes only when the head equals it and
   * tombstones at the head's version.
   */
  remove(id: Id, version: number, options?: MirrorWriteOptions<T>): Promise<MirrorResult>;
  /** Tombstones written before `before` (ms since epoch), oldest first, at most `limit`. */
  tombstones(options?: CallOptions & { before?: number; limit?: number }): Promise<Tombstone[]>;
  /** Drops the tombstone of `id` if it is still at `version`. */
  purgeTombstone(id: Id, version: number, options?: CallOptions): Promise<boolean>;
}

/** The gate every mirror applies, as one pure function so all adapters agree on it. */
export function gate(
  head: MirrorHead | undefined,
  version: number,
  options: { expect?: MirrorHead | null } = {},
): MirrorResult | 'write' {
  if (options.expect !== undefined) {
    const e = options.expect;
    const same =
      e === null
        ? head === undefined
        : head !== undefined && head.version === e.version && head.deleted === e.deleted;
    return same ? 'write' : 'conflict';
  }
  if (!head) return 'write';
  if (head.deleted) return head.version >= version ? 'tombstoned' : 'write';
  return head.version >= version ? 'stale' : 'write';
}

/** The gate of `remove`. */
export function removeGate(
  head: MirrorHead | undefined,
  version: number,
  options: { expect?: MirrorHead | null } = {},
): MirrorResult | 'write' {
  if (options.expect !== undefined) return gate(head, version, options);
  if (head && !head.deleted && head.version > version) return 'stale';
  if (head?.deleted && head.version >= version) return 'stale';
  return 'write';
}

const key = (id: Id): string => `${typeof id}:${id}`;

/** Deep equality of two items, version field ignored (JSON data: plain objects, arrays, scalars). */
export function sameItem(
  entity: EntityDef,
  a: object | null | undefined,
  b: object | null | undefined,
): boolean {
  if (!a || !b) return a === b;
  const strip = (x: object) => (entity.version ? { ...x, [entity.version]: 0 } : x);
  return diffItems(strip(a), strip(b)).length === 0;
}

interface Slot<T> {
  item: T | null;
  version: number;
  at: number;
}

/**
 * The in-memory mirror: a versioned store whose `repository` answers queries through the
 * specification evaluator (like `MemoryRepository`), and whose writes through `repository`
 * follow the port (used in `SecondaryOnly`).
 */
export class MemoryMirror<T extends object> implements MirrorStore<T> {
  readonly entity: EntityDef;
  readonly repository: Repository<T>;
  readonly #slots = new Map<string, Slot<T>>();
  readonly #now: () => number;

  constructor(entity: EntityDef, options: { cursors?: CursorCodec; now?: () => number } = {}) {
    this.entity = entity;
    this.#now = options.now ?? Date.now;
    this.repository = new SlotRepository<T>(
      entity,
      this.#slots,
      options.cursors ?? defaultCursorCodec(),
      this.#now,
    );
  }

  #head(id: Id): MirrorHead | undefined {
    const s = this.#slots.get(key(id));
    return s ? { version: s.version, deleted: s.item === null } : undefined;
  }

  async head(id: Id, options: CallOptions = {}): Promise<MirrorHead | undefined> {
    throwIfAborted(options.signal, this.entity.name);
    return this.#head(checkId(this.entity, id));
  }

  async heads(ids: readonly Id[], options: CallOptions = {}): Promise<Map<Id, MirrorHead>> {
    throwIfAborted(options.signal, this.entity.name);
    const out = new Map<Id, MirrorHead>();
    for (const id of ids) {
      const h = this.#head(id);
      if (h) out.set(id, h);
    }
    return out;
  }

  async put(item: T, version: number, options: MirrorWriteOptions = {}): Promise<MirrorResult> {
    throwIfAborted(options.signal, this.entity.name);
    return this.#put(item, version, options);
  }

  #put(item: T, version: number, options: MirrorWriteOptions): MirrorResult {
    const id = idOf(this.entity, item);
    const g = gate(this.#head(id), version, options);
    if (g !== 'write') return g;
    this.#slots.set(key(id), {
      item: clone(prepareForWrite(this.entity, item, version)),
      version,
      at: this.#now(),
    });
    return 'applied';
  }

  async putMany(
    entries: readonly { item: T; version: number }[],
    options: CallOptions = {},
  ): Promise<MirrorResult[]> {
    throwIfAborted(options.signal, this.entity.name);
    return entries.map((e) => this.#put(e.item, e.version, {}));
  }

  async remove(
    id: Id,
    version: number,
    options: MirrorWriteOptions<T> = {},
  ): Promise<MirrorResult> {
    throwIfAborted(options.signal, this.entity.name);
    const head = this.#head(checkId(this.entity, id));
    const g = removeGate(head, version, options);
    if (g !== 'write') return g;
    if (options.match && head && !head.deleted) {
      const stored = this.#slots.get(key(id))!.item;
      if (!sameItem(this.entity, stored, options.match)) return 'stale';
    }
    const v =
      options.expect !== undefined
        ? (head?.version ?? version)
        : Math.max(version, head?.version ?? 0);
    this.#slots.set(key(id), { item: null, version: v, at: this.#now() });
    return 'applied';
  }

  async tombstones(
    options: CallOptions & { before?: number; limit?: number } = {},
  ): Promise<Tombstone[]> {
    throwIfAborted(options.signal, this.entity.name);
    const before = options.before ?? Number.POSITIVE_INFINITY;
    const out: Tombstone[] = [];
    for (const [k, s] of this.#slots) {
      if (s.item !== null || s.at >= before) continue;
      const id: Id = k.startsWith('number:') ? Number(k.slice(7)) : k.slice(7);
      out.push({ id, version: s.version, at: s.at });
    }
    out.sort((a, b) => a.at - b.at);
    return out.slice(0, options.limit ?? out.length);
  }

  async purgeTombstone(id: Id, version: number, options: CallOptions = {}): Promise<boolean> {
    throwIfAborted(options.signal, this.entity.name);
    const s = this.#slots.get(key(id));
    if (!s || s.item !== null || s.version !== version) return false;
    this.#slots.delete(key(id));
    return true;
  }
}

/** Creates an in-memory mirror for `entity`, of its item type or of the `T` named (see `DeclaredEntity`). */
export function memoryMirror<S extends Shape>(
  entity: DeclaredEntity<S>,
  options?: { cursors?: CursorCodec },
): MemoryMirror<InferShape<S>>;
export function memoryMirror<T extends object>(
  entity: EntityDef,
  options?: { cursors?: CursorCodec },
): MemoryMirror<T>;
export function memoryMirror(
  entity: EntityDef,
  options?: { cursors?: CursorCodec },
): MemoryMirror<object> {
  return new MemoryMirror(entity, options);
}

/** `Repository<T>` over the mirror's slots; tombstones are invisible to it. */
class SlotRepository<T extends object> extends InMemoryQueries<T> implements Repository<T> {
  readonly #slots: Map<string, Slot<T>>;
  readonly #now: () => number;

  constructor(
    entity: EntityDef,
    slots: Map<string, Slot<T>>,
    cursors: CursorCodec,
    now: () => number,
  ) {
    super(entity, cursors);
    this.#slots = slots;
    this.#now = now;
  }

  #live(k: string): Slot<T> | undefined {
    const s = this.#slots.get(k);
    return s && s.item !== null ? s : undefined;
  }
  #out(s: Slot<T>): T {
    return clone(withVersion(this.entity, s.item as T, s.version));
  }
  protected snapshot(): T[] {
    const out: T[] = [];
    for (const s of this.#slots.values())
      if (s.item !== null) out.push(withVersion(this.entity, s.item, s.version));
    return out;
  }
  #missing(id: Id): never {
    throw new NotFoundError(`${this.entity.name} "${id}" not found`, {
      entity: this.entity.name,
      id,
    });
  }
  #check(id: Id, s: Slot<T>, expected: number | null): void {
    if (expected !== null && expected !== s.version) {
      throw new ConcurrencyError(
        `${this.entity.name} "${id}" is at version ${s.version}, not ${expected}`,
        {
          entity: this.entity.name,
          id,
          expectedVersion: expected,
          actualVersion: s.version,
        },
      );
    }
  }
  #store(item: T, version: number): T {
    const s = {
      item: clone(prepareForWrite(this.entity, item, version)),
      version,
      at: this.#now(),
    };
    this.#slots.set(key(idOf(this.entity, item)), s);
    return this.#out(s);
  }

  async getById(id: Id, options: CallOptions = {}): Promise<T | undefined> {
    throwIfAborted(options.signal, this.entity.name);
    const s = this.#live(key(checkId(this.entity, id)));
    return s ? this.#out(s) : undefined;
  }
  async getMany(ids: readonly Id[], options: CallOptions = {}): Promise<T[]> {
    throwIfAborted(options.signal, this.entity.name);
    const seen = new Set<string>();
    const out: T[] = [];
    for (const id of ids) {
      const k = key(checkId(this.entity, id));
      if (seen.has(k)) continue;
      seen.add(k);
      const s = this.#live(k);
      if (s) out.push(this.#out(s));
    }
    return out;
  }
  async add(item: T, options: CallOptions = {}): Promise<T> {
    throwIfAborted(options.signal, this.entity.name);
    prepareForWrite(this.entity, item, 1);
    const id = idOf(this.entity, item);
    const s = this.#slots.get(key(id));
    if (s && s.item !== null)
      throw new AlreadyExistsError(`${this.entity.name} "${id}" already exists`, {
        entity: this.entity.name,
        id,
      });
    // The port says a new item starts at version 1; writing it replaces any tombstone.
    return this.#store(item, 1);
  }
  async addMany(items: readonly T[], options: CallOptions = {}): Promise<T[]> {
    throwIfAborted(options.signal, this.entity.name);
    const seen = new Set<string>();
    for (const item of items) {
      prepareForWrite(this.entity, item, 1);
      const id = idOf(this.entity, item);
      if (this.#live(key(id)) || seen.has(key(id))) {
        throw new AlreadyExistsError(`${this.entity.name} "${id}" already exists`, {
          entity: this.entity.name,
          id,
        });
      }
      seen.add(key(id));
    }
    const out: T[] = [];
    for (const item of items) out.push(await this.add(item));
    return out;
  }
  async update(item: T, options: WriteOptions = {}): Promise<T> {
    throwIfAborted(options.signal, this.entity.name);
    const id = idOf(this.entity, item);
    const s = this.#live(key(id));
    if (!s) return this.#missing(id);
    this.#check(id, s, expectedVersionOf(this.entity, item, options.expectedVersion));
    return this.#store(item, s.version + 1);
  }
  async upsert(item: T, options: CallOptions = {}): Promise<T> {
    throwIfAborted(options.signal, this.entity.name);
    const s = this.#live(key(idOf(this.entity, item)));
    return this.#store(item, s ? s.version + 1 : 1);
  }
  async delete(id: Id, options: WriteOptions = {}): Promise<void> {
    throwIfAborted(options.signal, this.entity.name);
    const k = key(checkId(this.entity, id));
    const s = this.#live(k);
    if (!s) return this.#missing(id);
    this.#check(id, s, options.expectedVersion ?? null);
    this.#slots.delete(k);
  }
}
