/**
 * Opaque, tamper-evident keyset cursors: `@mystira/specification/cursor`.
 *
 * A cursor is `base64url(payload) "." base64url(HMAC-SHA256(secret, fingerprint "." payload))`,
 * where the payload holds the keyset values of the last row of a page and the fingerprint is the
 * hash of the specification's filter and order (not its paging). So a cursor cannot be forged or
 * edited without the secret, and a cursor minted for one query is rejected by another.
 *
 * This entry uses `node:crypto` (synchronous HMAC, constant-time compare), which is why it is a
 * separate entry point: the main entry stays free of Node built-ins and loads in browsers. Browsers
 * never need it, since cursors are minted and checked where the secret lives (the server); a
 * browser only passes the opaque string back.
 *
 * @packageDocumentation
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeysetNode, Literal, QueryNode } from './ast.js';
import { AST_VERSION } from './ast.js';
import { InvalidCursorError, InvalidValueError } from './errors.js';
import { type EvaluateOptions, evaluate, projector, type SpecSource } from './evaluate.js';
import { keysetOf } from './keyset.js';
import { canonicalJson, effectiveOrder, normalize } from './normalize.js';
import { sha256Hex } from './sha256.js';
import { toLiteral } from './values.js';

export { InvalidCursorError } from './errors.js';

/** Options of {@link createCursorCodec}. */
export interface CursorCodecOptions {
  /**
   * HMAC key(s), at least 16 bytes (32 random bytes recommended). With several, the first signs and
   * all verify, so keys can be rotated without invalidating cursors in flight.
   */
  secret: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Longest cursor string accepted by `decode`. Default 4096. */
  maxLength?: number;
}

/** A page of keyset paging, from {@link CursorCodec.page}. */
export interface CursorPage<R> {
  /** The page's items (projected, when the spec selects). */
  items: R[];
  /** Cursor for the next page, or null when this page is the last. */
  nextCursor: string | null;
}

/** Mints and verifies the cursors of one secret (or set of secrets, during a rotation). */
export interface CursorCodec {
  /** Cursor that continues after `item` (a full row, not a projection) under `spec`'s order. */
  encode<T>(spec: SpecSource<T, unknown>, item: T): string;
  /** Cursor for an explicit keyset. */
  encodeKeyset(spec: SpecSource<unknown, unknown>, keyset: KeysetNode): string;
  /**
   * Verifies and decodes a cursor for `spec`; pass the result to `Specification#after`.
   * @throws InvalidCursorError malformed, tampered with, signed with an unknown key, or minted for another query
   */
  decode(spec: SpecSource<unknown, unknown>, cursor: string): KeysetNode;
  /**
   * In-memory keyset paging: the page after `cursor` (or the first page when null) and the cursor
   * of the next one. `spec` must have a `take`.
   */
  page<T, R = T>(spec: SpecSource<T, R>, items: Iterable<T>, cursor?: string | null): CursorPage<R>;
  /** The same over an async source (e.g. a stream), which `options.signal` can cancel. */
  page<T, R = T>(
    spec: SpecSource<T, R>,
    items: AsyncIterable<T>,
    cursor?: string | null,
    options?: EvaluateOptions,
  ): Promise<CursorPage<R>>;
}

const TYPE_CODES = { string: 's', number: 'n', boolean: 'b', date: 'd', bigint: 'i' } as const;

function toQuery(spec: SpecSource<unknown, unknown>): QueryNode {
  return 'kind' in spec && spec.kind === 'query' ? spec : (spec as { build(): QueryNode }).build();
}

/** Hash of what a cursor depends on: entity, filter and effective order (not paging or projection). */
export function cursorFingerprint(spec: SpecSource<unknown, unknown>): string {
  const n = normalize({
    ...toQuery(spec),
    after: null,
    skip: 0,
    take: null,
    select: null,
    cache: null,
  });
  return sha256Hex(
    canonicalJson({
      v: AST_VERSION,
      entity: n.entity,
      idField: n.idField,
      where: n.where,
      orderBy: n.orderBy,
    }),
  );
}

function keyBytes(k: string | Uint8Array): Uint8Array {
  const b = typeof k === 'string' ? Buffer.from(k, 'utf8') : k;
  if (b.length < 16) throw new InvalidValueError('cursor secrets must be at least 16 bytes');
  return b;
}

/**
 * A codec signing with `options.secret` (the first one, when several are given; all of them
 * verify).
 */
export function createCursorCodec(options: CursorCodecOptions): CursorCodec {
  const list = Array.isArray(options.secret)
    ? options.secret
    : [options.secret as string | Uint8Array];
  if (list.length === 0) throw new InvalidValueError('at least one cursor secret is required');
  const keys = list.map(keyBytes);
  const maxLength = options.maxLength ?? 4096;
  const sign = (key: Uint8Array, fingerprint: string, payload: string): Buffer =>
    createHmac('sha256', key).update(fingerprint).update('.').update(payload).digest();

  const encodeKeyset = (spec: SpecSource<unknown, unknown>, keyset: KeysetNode): string => {
    const values = keyset.values.map((v) => (v === null ? null : [TYPE_CODES[v.type], v.value]));
    const payload = Buffer.from(JSON.stringify({ v: 1, k: values }), 'utf8').toString('base64url');
    return `${payload}.${sign(keys[0]!, cursorFingerprint(spec), payload).toString('base64url')}`;
  };

  const decode = (spec: SpecSource<unknown, unknown>, cursor: string): KeysetNode => {
    if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > maxLength) {
      throw new InvalidCursorError('cursor is missing or too long');
    }
    const dot = cursor.indexOf('.');
    const payload = cursor.slice(0, dot);
    const mac = dot > 0 ? Buffer.from(cursor.slice(dot + 1), 'base64url') : Buffer.alloc(0);
    if (dot <= 0 || mac.length !== 32 || !/^[A-Za-z0-9_-]+$/.test(payload)) {
      throw new InvalidCursorError('cursor is malformed');
    }
    const fingerprint = cursorFingerprint(spec);
    // Constant-time comparison against every accepted key (rotation).
    let ok = false;
    for (const key of keys) if (timingSafeEqual(sign(key, fingerprint, payload), mac)) ok = true;
    if (!ok)
      throw new InvalidCursorError(
        'cursor signature does not match (tampered, other key, or another query)',
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch (e) {
      throw new InvalidCursorError('cursor payload is not valid', { cause: e });
    }
    const orders = effectiveOrder(toQuery(spec));
    const rec = parsed as { v?: unknown; k?: unknown };
    if (
      typeof rec !== 'object' ||
      rec === null ||
      rec.v !== 1 ||
      !Array.isArray(rec.k) ||
      rec.k.length !== orders.length
    ) {
      throw new InvalidCursorError('cursor payload does not fit this specification');
    }
    const values = rec.k.map((entry: unknown, i): Literal | null => {
      if (entry === null) return null;
      const o = orders[i]!;
      if (!Array.isArray(entry) || entry.length !== 2)
        throw new InvalidCursorError('cursor value is malformed');
      try {
        const lit = toLiteral(entry[1], o.field, 'cursor value');
        if (TYPE_CODES[lit.type] !== entry[0])
          throw new InvalidCursorError('cursor value type is wrong');
        return lit;
      } catch (e) {
        if (e instanceof InvalidCursorError) throw e;
        throw new InvalidCursorError('cursor value does not fit its field', { cause: e });
      }
    });
    return Object.freeze({ kind: 'keyset', values: Object.freeze(values) });
  };

  function page<T, R>(
    spec: SpecSource<T, R>,
    items: Iterable<T> | AsyncIterable<T>,
    cursor: string | null = null,
    options: EvaluateOptions = {},
  ): CursorPage<R> | Promise<CursorPage<R>> {
    const query = toQuery(spec as SpecSource<unknown, unknown>);
    if (query.take === null) throw new InvalidValueError('keyset paging needs a take()');
    const after = cursor === null ? query.after : decode(query, cursor);
    // Fetch one extra full row: it tells whether there is a next page, and the cursor must be
    // built from the unprojected row (the projection may drop order keys).
    const probe: QueryNode = { ...query, after, select: null, take: query.take + 1 };
    const project = projector(query.select);
    const done = (rows: T[]): CursorPage<R> => {
      const pageRows = rows.slice(0, query.take!);
      const last = pageRows[pageRows.length - 1];
      const nextCursor =
        rows.length > query.take! && last !== undefined
          ? encodeKeyset(query, keysetOf(query, last))
          : null;
      return { items: pageRows.map(project) as R[], nextCursor };
    };
    if (typeof (items as Iterable<T>)[Symbol.iterator] === 'function') {
      return done(evaluate<T>(probe, items as Iterable<T>));
    }
    return evaluate<T>(probe, items as AsyncIterable<T>, options).then(done);
  }

  return {
    encode: (spec, item) =>
      encodeKeyset(
        spec as SpecSource<unknown, unknown>,
        keysetOf(spec as SpecSource<unknown, unknown>, item),
      ),
    encodeKeyset,
    decode,
    page: page as CursorCodec['page'],
  };
}
