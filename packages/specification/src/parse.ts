/**
 * `fromJSON`: turns a specification received from outside (an HTTP query, another service) into a
 * query node, or throws a typed `SpecificationError`. Nothing unvalidated passes: every object's
 * keys are checked against the node kind's exact key set, every field path against the entity
 * schema (and an optional field whitelist), every operator against the field type (and an optional
 * operator whitelist), every value against the field type, and the whole input against size and
 * depth limits, before any of it reaches a compiler.
 */
import {
  AST_VERSION,
  type CacheHint,
  type FieldRef,
  FORBIDDEN_KEYS,
  type KeysetNode,
  type Literal,
  type OrderNode,
  type Predicate,
  type QueryNode,
  type ScalarType,
} from './ast.js';
import {
  ForbiddenKeyError,
  InvalidSpecificationError,
  InvalidValueError,
  LimitExceededError,
  UnknownFieldError,
  UnsupportedOperatorError,
  UnsupportedVersionError,
} from './errors.js';
import { deepFreeze } from './normalize.js';
import {
  ALL_OPERATORS,
  checkIgnoreCase,
  checkOperator,
  checkOrderedLiteral,
  checkSameType,
  type OperatorName,
  orderable,
  resolveField,
} from './rules.js';
import type { EntityDef } from './schema.js';
import { compileLike, toLiteral } from './values.js';

/** Bounds on untrusted input to {@link fromJSON}; every one has a default. */
export interface ParseLimits {
  /** Maximum length of a JSON string input, in UTF-16 code units. Default 65536. */
  maxBytes?: number;
  /** Maximum nesting depth of the `where` tree. Default 12. */
  maxDepth?: number;
  /** Maximum number of predicate nodes in `where`. Default 256. */
  maxNodes?: number;
  /** Maximum values in one `in`/`notIn`/`arrayContains` list. Default 100. */
  maxListLength?: number;
  /** Maximum length of any string value or pattern. Default 1024. */
  maxStringLength?: number;
  /** Maximum order keys. Default 8. */
  maxOrderBy?: number;
  /** Maximum projected fields. Default 64. */
  maxSelect?: number;
  /** Maximum `take`. Default 1000. */
  maxTake?: number;
  /** Maximum `skip`. Default 100000. */
  maxSkip?: number;
}

/** Options of {@link fromJSON}: the limits and the whitelists of what a caller may use. */
export interface ParseOptions extends ParseLimits {
  /** Operator whitelist. Default: every operator. */
  operators?: readonly OperatorName[];
  /** Field whitelist (dotted paths) for filters, orders and projections. Default: every declared field. */
  fields?: readonly string[];
  /** Whether a cache hint is accepted (a hint from an untrusted caller may not be wanted). Default true. */
  allowCacheHint?: boolean;
}

export const DEFAULTS: Required<ParseLimits> = {
  maxBytes: 65536,
  maxDepth: 12,
  maxNodes: 256,
  maxListLength: 100,
  maxStringLength: 1024,
  maxOrderBy: 8,
  maxSelect: 64,
  maxTake: 1000,
  maxSkip: 100000,
};

type Obj = Record<string, unknown>;

class Parser {
  nodes = 0;
  readonly limits: Required<ParseLimits>;
  readonly operators: ReadonlySet<string>;
  readonly fields: ReadonlySet<string> | null;

  constructor(
    readonly entity: EntityDef,
    readonly options: ParseOptions,
  ) {
    this.limits = { ...DEFAULTS, ...stripUndefined(options) } as Required<ParseLimits>;
    this.operators = new Set(options.operators ?? ALL_OPERATORS);
    this.fields = options.fields ? new Set(options.fields) : null;
  }

  /** Checks that `v` is a plain object with only allowed keys (and all required ones). */
  object(
    v: unknown,
    at: string,
    required: readonly string[],
    optional: readonly string[] = [],
  ): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new InvalidSpecificationError(`expected an object at ${at || '/'}`, { path: at });
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidSpecificationError(`expected a plain object at ${at || '/'}`, { path: at });
    }
    const keys = Object.keys(v);
    for (const k of keys) {
      if (FORBIDDEN_KEYS.has(k))
        throw new ForbiddenKeyError(`forbidden key "${k}" at ${at || '/'}`, { path: `${at}/${k}` });
    }
    for (const k of keys) {
      if (!required.includes(k) && !optional.includes(k)) {
        throw new InvalidSpecificationError(`unexpected key "${k}" at ${at || '/'}`, {
          path: `${at}/${escapePointer(k)}`,
        });
      }
    }
    for (const k of required) {
      if (!Object.hasOwn(v, k))
        throw new InvalidSpecificationError(`missing key "${k}" at ${at || '/'}`, { path: at });
    }
    return v as Obj;
  }

  array(v: unknown, at: string, max: number, limit: string): unknown[] {
    if (!Array.isArray(v))
      throw new InvalidSpecificationError(`expected an array at ${at}`, { path: at });
    if (v.length > max)
      throw new LimitExceededError(
        limit,
        `${at} has ${v.length} entries, more than ${limit} ${max}`,
        { path: at },
      );
    return v;
  }

  string(v: unknown, at: string): string {
    if (typeof v !== 'string')
      throw new InvalidSpecificationError(`expected a string at ${at}`, { path: at });
    if (v.length > this.limits.maxStringLength) {
      throw new LimitExceededError(
        'maxStringLength',
        `string at ${at} is longer than ${this.limits.maxStringLength}`,
        { path: at },
      );
    }
    return v;
  }

  bool(v: unknown, at: string): boolean {
    if (v === undefined) return false;
    if (typeof v !== 'boolean')
      throw new InvalidSpecificationError(`expected a boolean at ${at}`, { path: at });
    return v;
  }

  field(v: unknown, at: string, whitelisted = true): FieldRef {
    const o = this.object(v, at, ['kind', 'path'], ['type', 'element']);
    if (o.kind !== 'field')
      throw new InvalidSpecificationError(`expected a field node at ${at}`, { path: `${at}/kind` });
    const segs = this.array(o.path, `${at}/path`, 16, 'maxPathSegments');
    segs.forEach((s, i) => {
      if (typeof s !== 'string')
        throw new UnknownFieldError(`field path segment must be a string`, {
          path: `${at}/path/${i}`,
        });
      if (FORBIDDEN_KEYS.has(s))
        throw new ForbiddenKeyError(`forbidden field name "${s}"`, { path: `${at}/path/${i}` });
    });
    const name = (segs as string[]).join('.');
    const ref = resolveField(this.entity, name, `${at}/path`);
    if (whitelisted && this.fields && !this.fields.has(name)) {
      throw new UnknownFieldError(`field "${name}" is not allowed here`, {
        path: `${at}/path`,
        field: name,
      });
    }
    if (o.type !== undefined && o.type !== ref.type) {
      throw new InvalidSpecificationError(
        `field "${name}" is declared as ${ref.type}, not ${String(o.type)}`,
        {
          path: `${at}/type`,
          field: name,
        },
      );
    }
    if (o.element !== undefined && o.element !== (ref.element ?? undefined)) {
      throw new InvalidSpecificationError(`element type of "${name}" does not match the schema`, {
        path: `${at}/element`,
        field: name,
      });
    }
    return ref;
  }

  literal(v: unknown, at: string, ref: FieldRef): Literal {
    const o = this.object(v, at, ['kind', 'value'], ['type']);
    if (o.kind !== 'value')
      throw new InvalidSpecificationError(`expected a value node at ${at}`, { path: `${at}/kind` });
    const raw = o.value;
    if (typeof raw === 'string') this.string(raw, `${at}/value`);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw new InvalidValueError(`value at ${at} must be a string, number or boolean`, {
        path: `${at}/value`,
        field: ref.path.join('.'),
      });
    }
    let lit: Literal;
    try {
      lit = toLiteral(raw, ref);
    } catch (e) {
      if (e instanceof InvalidValueError)
        throw new InvalidValueError(e.message, { path: `${at}/value`, field: e.field });
      throw e;
    }
    if (o.type !== undefined && o.type !== lit.type) {
      // Without a declared type the JS type decides; a mismatching explicit type is rejected.
      if (!isScalarType(o.type))
        throw new InvalidSpecificationError(`unknown value type at ${at}/type`, {
          path: `${at}/type`,
        });
      throw new InvalidValueError(`value at ${at} is a ${lit.type}, not a ${o.type}`, {
        path: `${at}/type`,
        field: ref.path.join('.'),
      });
    }
    return lit;
  }

  literals(v: unknown, at: string, ref: FieldRef): Literal[] {
    return this.array(v, at, this.limits.maxListLength, 'maxListLength').map((x, i) =>
      this.literal(x, `${at}/${i}`, ref),
    );
  }

  op(name: OperatorName, ref: FieldRef | null, at: string): void {
    if (!this.operators.has(name))
      throw new UnsupportedOperatorError(`operator "${name}" is not allowed`, { path: at });
    if (ref) checkOperator(name, ref, at);
  }

  predicate(v: unknown, at: string, depth: number): Predicate {
    if (depth > this.limits.maxDepth)
      throw new LimitExceededError(
        'maxDepth',
        `where is nested deeper than ${this.limits.maxDepth}`,
        { path: at },
      );
    if (++this.nodes > this.limits.maxNodes)
      throw new LimitExceededError(
        'maxNodes',
        `where has more than ${this.limits.maxNodes} nodes`,
        { path: at },
      );
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new InvalidSpecificationError(`expected a predicate at ${at}`, { path: at });
    const kind = (v as Obj).kind;
    switch (kind) {
      case 'compare': {
        const o = this.object(v, at, ['kind', 'op', 'field', 'value'], ['ignoreCase']);
        const op = o.op;
        if (
          op !== 'eq' &&
          op !== 'ne' &&
          op !== 'lt' &&
          op !== 'lte' &&
          op !== 'gt' &&
          op !== 'gte'
        ) {
          throw new UnsupportedOperatorError(`unknown comparison operator "${String(op)}"`, {
            path: `${at}/op`,
          });
        }
        const field = this.field(o.field, `${at}/field`);
        this.op(op, field, `${at}/op`);
        const value = this.literal(o.value, `${at}/value`, field);
        if (op !== 'eq' && op !== 'ne') checkOrderedLiteral(value, field, `${at}/value`);
        const ignoreCase = this.bool(o.ignoreCase, `${at}/ignoreCase`);
        checkIgnoreCase(ignoreCase, [value], field, `${at}/ignoreCase`);
        return { kind, op, field, value, ignoreCase };
      }
      case 'in': {
        const o = this.object(v, at, ['kind', 'op', 'field', 'values'], ['ignoreCase']);
        if (o.op !== 'in' && o.op !== 'notIn')
          throw new UnsupportedOperatorError(`unknown list operator "${String(o.op)}"`, {
            path: `${at}/op`,
          });
        const field = this.field(o.field, `${at}/field`);
        this.op(o.op, field, `${at}/op`);
        const values = this.literals(o.values, `${at}/values`, field);
        checkSameType(values, field, `${at}/values`);
        const ignoreCase = this.bool(o.ignoreCase, `${at}/ignoreCase`);
        checkIgnoreCase(ignoreCase, values, field, `${at}/ignoreCase`);
        return { kind, op: o.op, field, values, ignoreCase };
      }
      case 'between': {
        const o = this.object(v, at, ['kind', 'field', 'low', 'high']);
        const field = this.field(o.field, `${at}/field`);
        this.op('between', field, at);
        const low = this.literal(o.low, `${at}/low`, field);
        const high = this.literal(o.high, `${at}/high`, field);
        checkOrderedLiteral(low, field, `${at}/low`);
        checkSameType([low, high], field, at);
        return { kind, field, low, high };
      }
      case 'isNull':
      case 'exists': {
        const o = this.object(v, at, ['kind', 'field']);
        const field = this.field(o.field, `${at}/field`);
        this.op(kind, field, at);
        return { kind, field };
      }
      case 'stringMatch': {
        const o = this.object(v, at, ['kind', 'op', 'field', 'value'], ['ignoreCase']);
        if (o.op !== 'startsWith' && o.op !== 'endsWith' && o.op !== 'contains') {
          throw new UnsupportedOperatorError(`unknown string operator "${String(o.op)}"`, {
            path: `${at}/op`,
          });
        }
        const field = this.field(o.field, `${at}/field`);
        this.op(o.op, field, `${at}/op`);
        return {
          kind,
          op: o.op,
          field,
          value: this.string(o.value, `${at}/value`),
          ignoreCase: this.bool(o.ignoreCase, `${at}/ignoreCase`),
        };
      }
      case 'like': {
        const o = this.object(v, at, ['kind', 'field', 'pattern'], ['ignoreCase']);
        const field = this.field(o.field, `${at}/field`);
        this.op('like', field, at);
        const pattern = this.string(o.pattern, `${at}/pattern`);
        try {
          compileLike(pattern, false);
        } catch (e) {
          throw new InvalidValueError((e as Error).message, {
            path: `${at}/pattern`,
            field: field.path.join('.'),
          });
        }
        return { kind, field, pattern, ignoreCase: this.bool(o.ignoreCase, `${at}/ignoreCase`) };
      }
      case 'arrayContains': {
        const o = this.object(v, at, ['kind', 'field', 'values']);
        const field = this.field(o.field, `${at}/field`);
        this.op('arrayContains', field, at);
        const elementRef: FieldRef = { ...field, type: field.element ?? null };
        const values = this.literals(o.values, `${at}/values`, elementRef);
        checkSameType(values, field, `${at}/values`);
        return { kind, field, values };
      }
      case 'and':
      case 'or': {
        const o = this.object(v, at, ['kind', 'operands']);
        this.op(kind, null, at);
        const ops = this.array(o.operands, `${at}/operands`, this.limits.maxNodes, 'maxNodes');
        return {
          kind,
          operands: ops.map((x, i) => this.predicate(x, `${at}/operands/${i}`, depth + 1)),
        };
      }
      case 'not': {
        const o = this.object(v, at, ['kind', 'operand']);
        this.op('not', null, at);
        return { kind, operand: this.predicate(o.operand, `${at}/operand`, depth + 1) };
      }
      case 'const': {
        const o = this.object(v, at, ['kind', 'value']);
        if (typeof o.value !== 'boolean')
          throw new InvalidSpecificationError(`const value must be a boolean`, {
            path: `${at}/value`,
          });
        return { kind, value: o.value };
      }
      default:
        // Check forbidden keys first so a polluting object is reported as such.
        this.object(v, at, Object.keys(v as Obj));
        throw new UnsupportedOperatorError(`unknown predicate kind "${String(kind)}"`, {
          path: `${at}/kind`,
        });
    }
  }

  order(v: unknown, at: string): OrderNode {
    const o = this.object(v, at, ['kind', 'field', 'direction']);
    if (o.kind !== 'order')
      throw new InvalidSpecificationError(`expected an order node at ${at}`, {
        path: `${at}/kind`,
      });
    const field = this.field(o.field, `${at}/field`);
    if (!orderable(field.type)) {
      throw new UnsupportedOperatorError(
        `cannot order by ${field.type} field "${field.path.join('.')}"`,
        { path: `${at}/field`, field: field.path.join('.') },
      );
    }
    if (o.direction !== 'asc' && o.direction !== 'desc')
      throw new InvalidSpecificationError(`direction must be "asc" or "desc"`, {
        path: `${at}/direction`,
      });
    return { kind: 'order', field, direction: o.direction };
  }

  keyset(v: unknown, at: string, orders: readonly OrderNode[], idField: FieldRef): KeysetNode {
    const o = this.object(v, at, ['kind', 'values']);
    if (o.kind !== 'keyset')
      throw new InvalidSpecificationError(`expected a keyset node at ${at}`, {
        path: `${at}/kind`,
      });
    const effective = effectiveFields(orders, idField);
    const values = this.array(o.values, `${at}/values`, effective.length, 'maxOrderBy');
    if (values.length !== effective.length) {
      throw new InvalidSpecificationError(`keyset needs ${effective.length} values`, {
        path: `${at}/values`,
      });
    }
    return {
      kind: 'keyset',
      values: values.map((x, i) =>
        x === null ? null : this.literal(x, `${at}/values/${i}`, effective[i]!),
      ),
    };
  }

  count(v: unknown, at: string, max: number, limit: string, min = 0): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new InvalidValueError(`${at} must be an integer >= ${min}`, { path: at });
    }
    if (v > max) throw new LimitExceededError(limit, `${at} is larger than ${max}`, { path: at });
    return v;
  }

  query(v: unknown): QueryNode {
    const o = this.object(
      v,
      '',
      ['kind', 'version'],
      ['entity', 'idField', 'where', 'orderBy', 'after', 'skip', 'take', 'select', 'cache'],
    );
    if (o.kind !== 'query')
      throw new InvalidSpecificationError('expected a query node', { path: '/kind' });
    if (o.version !== AST_VERSION)
      throw new UnsupportedVersionError(`unsupported AST version ${String(o.version)}`, {
        path: '/version',
      });
    if (o.entity !== undefined && o.entity !== null && o.entity !== this.entity.name) {
      throw new InvalidSpecificationError(
        `specification is for entity "${String(o.entity)}", not "${this.entity.name}"`,
        { path: '/entity' },
      );
    }
    const idField = resolveField(this.entity, this.entity.id);
    if (o.idField !== undefined) {
      const given = this.object(o.idField, '/idField', ['kind', 'path'], ['type', 'element']);
      if (!Array.isArray(given.path) || given.path.join('.') !== this.entity.id) {
        throw new InvalidSpecificationError(`idField must be "${this.entity.id}"`, {
          path: '/idField',
        });
      }
      this.field(o.idField, '/idField', false); // the tiebreaker is implied, never a caller's choice
    }
    const where =
      o.where === undefined || o.where === null ? null : this.predicate(o.where, '/where', 1);
    const orderBy =
      o.orderBy === undefined
        ? []
        : this.array(o.orderBy, '/orderBy', this.limits.maxOrderBy, 'maxOrderBy').map((x, i) =>
            this.order(x, `/orderBy/${i}`),
          );
    const after =
      o.after === undefined || o.after === null
        ? null
        : this.keyset(o.after, '/after', orderBy, idField);
    const skip =
      o.skip === undefined ? 0 : this.count(o.skip, '/skip', this.limits.maxSkip, 'maxSkip');
    const take =
      o.take === undefined || o.take === null
        ? null
        : this.count(o.take, '/take', this.limits.maxTake, 'maxTake');
    const select =
      o.select === undefined || o.select === null
        ? null
        : this.array(o.select, '/select', this.limits.maxSelect, 'maxSelect').map((x, i) =>
            this.field(x, `/select/${i}`),
          );
    if (select !== null && select.length === 0) {
      throw new InvalidSpecificationError(
        'select needs at least one field (omit it for whole items)',
        {
          path: '/select',
        },
      );
    }
    let cache: CacheHint | null = null;
    if (o.cache !== undefined && o.cache !== null) {
      if (this.options.allowCacheHint === false)
        throw new UnsupportedOperatorError('cache hints are not accepted', { path: '/cache' });
      const c = this.object(o.cache, '/cache', ['kind', 'ttlMs', 'tags']);
      if (c.kind !== 'cache')
        throw new InvalidSpecificationError('expected a cache node', { path: '/cache/kind' });
      const ttlMs = this.count(c.ttlMs, '/cache/ttlMs', Number.MAX_SAFE_INTEGER, 'ttlMs', 1);
      const tags = this.array(c.tags, '/cache/tags', 32, 'maxTags').map((t, i) => {
        const s = this.string(t, `/cache/tags/${i}`);
        if (s.length === 0 || s.length > 256)
          throw new InvalidValueError('cache tags must be 1..256 characters', {
            path: `/cache/tags/${i}`,
          });
        return s;
      });
      cache = { kind: 'cache', ttlMs, tags };
    }
    return deepFreeze({
      kind: 'query',
      version: AST_VERSION,
      entity: this.entity.name,
      idField,
      where,
      orderBy,
      after,
      skip,
      take,
      select,
      cache,
    });
  }
}

function effectiveFields(orders: readonly OrderNode[], idField: FieldRef): FieldRef[] {
  const out: FieldRef[] = [];
  for (const o of orders) {
    if (out.some((f) => f.path.join('.') === o.field.path.join('.'))) continue;
    out.push(o.field);
    if (o.field.path.join('.') === idField.path.join('.')) return out;
  }
  out.push(idField);
  return out;
}

function isScalarType(t: unknown): t is ScalarType {
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'date' || t === 'bigint';
}

function escapePointer(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Validates an untrusted specification (a JSON string or an already-parsed value) against
 * `entity`'s schema and the given limits and whitelists, returning a frozen query node.
 *
 * @throws InvalidSpecificationError malformed input (bad JSON, wrong shapes, unexpected keys)
 * @throws UnknownFieldError undeclared or non-whitelisted field path
 * @throws UnsupportedOperatorError unknown or non-whitelisted operator, or one that does not fit the field type
 * @throws InvalidValueError an operand that does not fit the field type
 * @throws LimitExceededError input larger or deeper than the limits
 * @throws ForbiddenKeyError `__proto__`, `constructor` or `prototype` anywhere
 * @throws UnsupportedVersionError a version other than 1
 */
export function fromJSON(json: unknown, entity: EntityDef, options: ParseOptions = {}): QueryNode {
  const parser = new Parser(entity, options);
  return parser.query(parseJsonText(json, parser.limits.maxBytes));
}

/**
 * The parsed value of a specification given as JSON text (at most `maxBytes` characters); any
 * other input, already parsed, as it is. Both `fromJSON` and `fromAggregateJSON` read with it.
 */
export function parseJsonText(json: unknown, maxBytes: number): unknown {
  if (typeof json !== 'string') return json;
  if (json.length > maxBytes) {
    throw new LimitExceededError(
      'maxBytes',
      `specification is larger than ${maxBytes} characters`,
      {
        path: '',
      },
    );
  }
  try {
    return JSON.parse(json);
  } catch (e) {
    throw new InvalidSpecificationError('specification is not valid JSON', {
      path: '',
      cause: e,
    });
  }
}
