/**
 * `fromAggregateJSON`: an aggregate query from untrusted JSON (an analytics endpoint's request),
 * the way `fromJSON` reads a query. The source goes through `fromJSON` itself (same limits and
 * whitelists); group keys and aggregated fields are resolved against the schema (and the field
 * whitelist); then every aggregate rule is checked by the builder's own `aggregateQuery`, so
 * what parses is exactly what the builder can make.
 */
import { aggregateQuery } from './aggregate.js';
import {
  type AggregateFn,
  type AggregateNode,
  type AggregateQueryNode,
  type AggregateShape,
  AST_VERSION,
  type DateUnit,
  type FieldRef,
  type GroupKey,
  type NamedAggregate,
} from './ast.js';
import {
  InvalidSpecificationError,
  LimitExceededError,
  UnknownFieldError,
  UnsupportedVersionError,
} from './errors.js';
import { DEFAULTS, fromJSON, type ParseOptions, parseJsonText } from './parse.js';
import { resolveField } from './rules.js';
import type { EntityDef } from './schema.js';

/** Options of {@link fromAggregateJSON}: those of `fromJSON` plus the aggregate limits. */
export interface AggregateParseOptions extends ParseOptions {
  /** Maximum group keys. Default 8. */
  maxGroupBy?: number;
  /** Maximum aggregates. Default 32. */
  maxAggregates?: number;
}

type Obj = Record<string, unknown>;

function object(
  v: unknown,
  at: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InvalidSpecificationError('expected an object', { path: at });
  for (const k of Object.keys(v)) {
    if (!keys.includes(k) && !optional.includes(k))
      throw new InvalidSpecificationError(`unexpected key "${k}"`, { path: `${at}/${k}` });
  }
  for (const k of keys) {
    if (!(k in v))
      throw new InvalidSpecificationError(`missing key "${k}"`, { path: `${at}/${k}` });
  }
  return v as Obj;
}

function list(v: unknown, at: string, max: number, name: string): unknown[] {
  if (!Array.isArray(v)) throw new InvalidSpecificationError('expected an array', { path: at });
  if (v.length > max) throw new LimitExceededError(name, `more than ${max} entries`, { path: at });
  return v;
}

/** Reads an aggregate query (a JSON string or its parsed value) for `entity`. */
export function fromAggregateJSON(
  json: unknown,
  entity: EntityDef,
  options: AggregateParseOptions = {},
): AggregateQueryNode {
  const value = parseJsonText(json, options.maxBytes ?? DEFAULTS.maxBytes);
  const root = object(value, '', ['kind', 'version', 'source', 'groupBy', 'aggregates', 'shape']);
  if (root.kind !== 'aggregateQuery')
    throw new InvalidSpecificationError('expected kind "aggregateQuery"', { path: '/kind' });
  if (root.version !== AST_VERSION)
    throw new UnsupportedVersionError(`unsupported AST version ${String(root.version)}`, {
      path: '/version',
    });
  const source = fromJSON(root.source, entity, options);
  const allowed = options.fields ? new Set(options.fields) : null;
  const field = (v: unknown, at: string): FieldRef => {
    const ref = object(v, at, ['kind', 'path'], ['type', 'element']);
    if (ref.kind !== 'field')
      throw new InvalidSpecificationError('expected kind "field"', { path: `${at}/kind` });
    if (!Array.isArray(ref.path) || ref.path.some((s) => typeof s !== 'string'))
      throw new InvalidSpecificationError('a field path is an array of strings', {
        path: `${at}/path`,
      });
    const resolved = resolveField(entity, ref.path as string[], `${at}/path`);
    const name = resolved.path.join('.');
    if (allowed && !allowed.has(name))
      throw new UnknownFieldError(`field "${name}" is not allowed`, {
        path: `${at}/path`,
        field: name,
      });
    if (ref.type !== undefined && ref.type !== resolved.type)
      throw new InvalidSpecificationError(`field "${name}" is a ${resolved.type}`, {
        path: `${at}/type`,
      });
    return resolved;
  };
  const groupBy = list(root.groupBy, '/groupBy', options.maxGroupBy ?? 8, 'maxGroupBy').map(
    (k, i): GroupKey => {
      const at = `/groupBy/${i}`;
      if ((k as Obj | null)?.kind !== 'dateBucket') return field(k, at);
      const b = object(k, at, ['kind', 'field', 'unit']);
      return { kind: 'dateBucket', field: field(b.field, `${at}/field`), unit: b.unit as DateUnit };
    },
  );
  const aggregates = list(
    root.aggregates,
    '/aggregates',
    options.maxAggregates ?? 32,
    'maxAggregates',
  ).map((n, i): NamedAggregate => {
    const at = `/aggregates/${i}`;
    const named = object(n, at, ['name', 'aggregate']);
    const a = object(named.aggregate, `${at}/aggregate`, ['kind', 'fn', 'field']);
    if (a.kind !== 'aggregate')
      throw new InvalidSpecificationError('expected kind "aggregate"', {
        path: `${at}/aggregate/kind`,
      });
    const node: AggregateNode = {
      kind: 'aggregate',
      fn: a.fn as AggregateFn,
      field: a.field === null ? null : field(a.field, `${at}/aggregate/field`),
    };
    return { name: named.name as string, aggregate: node };
  });
  // The builder's checks: functions, field types, units, names, shape and source.
  return aggregateQuery(source, groupBy, aggregates, root.shape as AggregateShape);
}
