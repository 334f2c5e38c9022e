/**
 * Which operator applies to which field type, and how a dotted field path is resolved against a
 * schema. The builder and `fromJSON` share these rules so a spec the builder can make is exactly a
 * spec `fromJSON` accepts.
 */
import { type FieldRef, type FieldType, FORBIDDEN_KEYS, IDENTIFIER, type Literal } from './ast.js';
import {
  ForbiddenKeyError,
  InvalidValueError,
  UnknownFieldError,
  UnsupportedOperatorError,
} from './errors.js';
import type { EntityDef } from './schema.js';

/** Every operator name a spec can use (the whitelist vocabulary of `fromJSON`). */
export type OperatorName =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'in'
  | 'notIn'
  | 'between'
  | 'isNull'
  | 'exists'
  | 'startsWith'
  | 'endsWith'
  | 'contains'
  | 'like'
  | 'arrayContains'
  | 'and'
  | 'or'
  | 'not';

/** Every operator name, the default whitelist of {@link fromJSON}. */
export const ALL_OPERATORS: readonly OperatorName[] = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'notIn',
  'between',
  'isNull',
  'exists',
  'startsWith',
  'endsWith',
  'contains',
  'like',
  'arrayContains',
  'and',
  'or',
  'not',
];

const EQUALITY: ReadonlySet<FieldType> = new Set(['string', 'number', 'boolean', 'date', 'bigint']);
const ORDERED: ReadonlySet<FieldType> = new Set(['string', 'number', 'date', 'bigint']);

/** Field types an operator accepts (`null` type = unknown, accepted by every operator). */
export function operatorApplies(op: OperatorName, type: FieldType | null): boolean {
  if (type === null) return true;
  switch (op) {
    case 'eq':
    case 'ne':
    case 'in':
    case 'notIn':
      return EQUALITY.has(type);
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
    case 'between':
      return ORDERED.has(type);
    case 'startsWith':
    case 'endsWith':
    case 'contains':
    case 'like':
      return type === 'string';
    case 'arrayContains':
      return type === 'array';
    default:
      return true;
  }
}

/** Types an order key may have: every scalar (booleans order false < true). */
export function orderable(type: FieldType | null): boolean {
  return type === null || EQUALITY.has(type);
}

/** Splits and checks a dotted path: identifiers only, no prototype-polluting names. */
export function parsePath(path: unknown, pointer?: string): string[] {
  if (typeof path !== 'string' || path.length === 0 || path.length > 512) {
    throw new UnknownFieldError('a field path must be a non-empty string', { path: pointer });
  }
  const segments = path.split('.');
  for (const s of segments) {
    if (FORBIDDEN_KEYS.has(s))
      throw new ForbiddenKeyError(`forbidden field name "${s}"`, { path: pointer, field: path });
    if (!IDENTIFIER.test(s))
      throw new UnknownFieldError(`invalid field path "${path}"`, { path: pointer, field: path });
  }
  return segments;
}

/** Resolves a path to a typed field reference, checking it against the schema when there is one. */
export function resolveField(
  entity: EntityDef | null,
  path: string | readonly string[],
  pointer?: string,
): FieldRef {
  const segments = typeof path === 'string' ? parsePath(path, pointer) : [...path];
  if (typeof path !== 'string') parsePath(segments.join('.'), pointer);
  const name = segments.join('.');
  if (!entity) return Object.freeze({ kind: 'field', path: Object.freeze(segments), type: null });
  const info = entity.fieldAt(name);
  if (!info)
    throw new UnknownFieldError(`unknown field "${name}" on entity "${entity.name}"`, {
      path: pointer,
      field: name,
    });
  const ref: FieldRef =
    info.type === 'array'
      ? { kind: 'field', path: Object.freeze(segments), type: 'array', element: info.element }
      : { kind: 'field', path: Object.freeze(segments), type: info.type };
  return Object.freeze(ref);
}

export function checkOperator(op: OperatorName, ref: FieldRef, pointer?: string): void {
  if (!operatorApplies(op, ref.type)) {
    const name = ref.path.join('.');
    throw new UnsupportedOperatorError(
      `operator "${op}" does not apply to ${ref.type} field "${name}"`,
      {
        path: pointer,
        field: name,
      },
    );
  }
}

/** `ignoreCase` only makes sense against string literals. */
export function checkIgnoreCase(
  ignoreCase: boolean,
  values: readonly Literal[],
  ref: FieldRef,
  pointer?: string,
): void {
  if (ignoreCase && values.some((v) => v.type !== 'string')) {
    const name = ref.path.join('.');
    throw new UnsupportedOperatorError(`ignoreCase applies only to string values ("${name}")`, {
      path: pointer,
      field: name,
    });
  }
}

/** All values of one list operator (or both `between` bounds) must share one type. */
export function checkSameType(values: readonly Literal[], ref: FieldRef, pointer?: string): void {
  const first = values[0];
  if (first && values.some((v) => v.type !== first.type)) {
    const name = ref.path.join('.');
    throw new InvalidValueError(`all values for "${name}" must have the same type`, {
      path: pointer,
      field: name,
    });
  }
}

/** Range operators need an ordered literal type (not boolean). */
export function checkOrderedLiteral(v: Literal, ref: FieldRef, pointer?: string): void {
  if (v.type === 'boolean') {
    const name = ref.path.join('.');
    throw new UnsupportedOperatorError(`range comparisons do not apply to booleans ("${name}")`, {
      path: pointer,
      field: name,
    });
  }
}
