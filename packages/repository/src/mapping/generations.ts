/**
 * Older stored shapes of an entity. Mystira's domain was renamed and renumbered without a data
 * migration, so documents of several generations live side by side. A generation recognises its
 * documents with a stored-side predicate and upgrades them to the current shape; the codec
 * decodes only the current shape and writes only it.
 *
 * Renames and renumberings are declared as data, not hidden in a function, so the query mapper
 * can translate a filter for every generation at once (an enum value is a different number in
 * old documents; a renamed property lives under its old name there).
 */
import {
  isSatisfiedBy,
  type Predicate,
  predicates,
  queryNode,
  type Where,
} from '@mystira/specification';

/** A stored document (JSON object). */
export type StoredDocument = Record<string, unknown>;

/** One older shape of an entity's documents. */
export interface Generation {
  /** A name for reports and tests, e.g. `legacy (Mystira.App.Domain)`. */
  readonly name: string;
  /**
   * The stored-side test that recognises its documents. It should only use `isNull`/`exists`
   * (and `and`/`or`/`not`), which are never unknown, e.g. "a property every current document
   * has, and no old one, is missing".
   */
  readonly where: Predicate;
  /** Top-level properties renamed since: old stored name → current stored name. */
  readonly renamed: Readonly<Record<string, string>>;
  /** Top-level integer properties renumbered since: current stored name → (old number → current number). */
  readonly renumbered: Readonly<Record<string, Readonly<Record<number, number>>>>;
  /** Current stored names a custom upgrade changes in other ways: queries on them are refused. */
  readonly touches: readonly string[];
  /** Whether a document is of this generation. */
  matches(doc: StoredDocument): boolean;
  /** The document in the current shape (a new object; `doc` is not changed). */
  upgrade(doc: StoredDocument): StoredDocument;
}

/** How a generation differs from the current shape (see {@link generation}). */
export interface GenerationOptions {
  /** Recognises the generation's documents, over stored property names (see `Generation.where`). */
  readonly where: Predicate | ((w: Where<Record<string, unknown>>) => Predicate);
  /** Old stored name → current stored name, for top-level properties. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Current stored name → (old number → current number), for top-level integer properties. */
  readonly renumber?: Readonly<Record<string, Readonly<Record<number, number>>>>;
  /** Any other change, applied after the renames and renumberings. */
  readonly upgrade?: (doc: StoredDocument) => StoredDocument;
  /** Current stored names `upgrade` changes (queries on them are refused). */
  readonly touches?: readonly string[];
}

/** Declares a generation. */
export function generation(name: string, options: GenerationOptions): Generation {
  const where = typeof options.where === 'function' ? options.where(predicates()) : options.where;
  const test = queryNode(where);
  const renamed = options.rename ?? {};
  const renumbered = options.renumber ?? {};
  return Object.freeze({
    name,
    where,
    renamed,
    renumbered,
    touches: options.touches ?? [],
    matches: (doc: StoredDocument) => isSatisfiedBy(test, doc),
    upgrade(doc: StoredDocument) {
      let out = doc;
      for (const [from, to] of Object.entries(renamed)) out = renameProperty(out, from, to);
      for (const [key, table] of Object.entries(renumbered)) out = renumber(out, key, table);
      return options.upgrade ? options.upgrade(out) : out;
    },
  });
}

/**
 * `doc` with property `from` renamed to `to`: the value moves, unless `to` already holds a value
 * (the newer name wins; a null there is no value, as for queries).
 */
export function renameProperty(doc: StoredDocument, from: string, to: string): StoredDocument {
  if (!Object.hasOwn(doc, from)) return doc;
  const value = doc[to] != null ? doc[to] : doc[from];
  const out: StoredDocument = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === from) {
      if (!Object.hasOwn(doc, to)) out[to] = value;
    } else out[k] = k === to ? value : v;
  }
  return out;
}

/**
 * `doc` with the number in `key` translated by `table` (old number → current number), e.g. the
 * legacy `SessionStatus` 1 (InProgress) → current 2 (Active). Numbers the table lacks and
 * non-numbers are kept.
 */
export function renumber(
  doc: StoredDocument,
  key: string,
  table: Readonly<Record<number, number>>,
): StoredDocument {
  const v = doc[key];
  if (typeof v !== 'number' || table[v] === undefined) return doc;
  return { ...doc, [key]: table[v] };
}

/** The generation a document belongs to (the first whose `where` matches), or null for the current one. */
export function generationOf(
  generations: readonly Generation[],
  doc: StoredDocument,
): Generation | null {
  return generations.find((g) => g.matches(doc)) ?? null;
}
