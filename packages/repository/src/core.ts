/**
 * Helpers every adapter shares, so they agree on the details the port leaves to them: how a spec
 * is bound to the repository's entity (and rejected when it does not fit), how items are
 * validated and versioned, and how errors from the specification package surface.
 */
import {
  compileLike,
  type EntityDef,
  type FieldRef,
  type FieldType,
  isCanonicalBigint,
  isIsoDate,
  type Literal,
  type Predicate,
  type QueryNode,
  type ScalarType,
  SpecificationError,
  type SpecSource,
} from '@mystira/specification';
import { ValidationError, type ValidationIssue } from './errors.js';
import type { Id } from './port.js';

/** The query node of a `Specification` or a raw `QueryNode`. */
export function queryOf(spec: SpecSource<unknown, unknown>): QueryNode {
  if (spec && typeof spec === 'object' && 'kind' in spec && spec.kind === 'query') return spec;
  if (spec && typeof (spec as { build?: unknown }).build === 'function')
    return (spec as { build(): QueryNode }).build();
  throw new ValidationError('expected a Specification or a QueryNode');
}

/**
 * Runs `fn`, turning `SpecificationError`s (invalid spec, bad cursor, unknown field) into
 * `ValidationError`s so callers see one error family from a repository. `MultipleResultsError`
 * passes through unchanged: it is the documented outcome of `single()`.
 */
export function specErrors<R>(entity: string, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    throw toValidation(entity, err);
  }
}

/**
 * A specification error about the caller's input (an unknown field, a bad value) as the
 * repository's {@link ValidationError}; any other error as it is.
 */
export function toValidation(entity: string, err: unknown): unknown {
  if (err instanceof SpecificationError && err.code !== 'MULTIPLE_RESULTS') {
    return new ValidationError(err.message, {
      entity,
      cause: err,
      issues: [{ field: err.field ?? '', message: err.message }],
    });
  }
  return err;
}

function scalarOf(type: FieldType, element: ScalarType | null): ScalarType | null {
  if (type === 'array') return element;
  if (type === 'object') return null;
  return type;
}

function literalValueOk(lit: Literal): boolean {
  const v = lit.value;
  switch (lit.type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'date':
      return typeof v === 'string' && isIsoDate(v);
    case 'bigint':
      return typeof v === 'string' && isCanonicalBigint(v);
    default:
      return false;
  }
}

/**
 * Binds a query to the entity: every field reference must name a declared field (its declared
 * type is filled in, so a spec built without a schema compiles exactly like one built with it),
 * and every literal must fit that type. Throws `ValidationError` otherwise. Compilers then trust
 * the bound query: identifiers come from the schema, never from the caller.
 */
export function bindQuery(entity: EntityDef, query: QueryNode): QueryNode {
  if (query.kind !== 'query')
    throw new ValidationError('not a query node', { entity: entity.name });
  if (query.entity !== null && query.entity !== entity.name) {
    throw new ValidationError(
      `the specification is for entity "${query.entity}", not "${entity.name}"`,
      {
        entity: entity.name,
      },
    );
  }
  const fail = (field: string, message: string): never => {
    throw new ValidationError(`${message} ("${field}")`, {
      entity: entity.name,
      issues: [{ field, message }],
    });
  };
  const bindField = (ref: FieldRef): FieldRef => {
    if (ref?.kind !== 'field' || !Array.isArray(ref.path))
      return fail('', 'malformed field reference');
    const name = ref.path.join('.');
    const info = entity.fieldAt(ref.path);
    if (!info) return fail(name, `unknown field on entity "${entity.name}"`);
    if (info.type === ref.type && (info.type !== 'array' || ref.element === info.element))
      return ref;
    return info.type === 'array'
      ? { kind: 'field', path: info.path, type: 'array', element: info.element }
      : { kind: 'field', path: info.path, type: info.type };
  };
  const bindLiteral = (ref: FieldRef, lit: Literal): Literal => {
    const name = ref.path.join('.');
    const want = scalarOf(ref.type!, ref.element ?? null);
    if (want === null) return fail(name, 'object fields cannot be compared to values');
    if (lit?.kind !== 'value') return fail(name, 'malformed value');
    if (lit.type === want) {
      if (!literalValueOk(lit)) return fail(name, `malformed ${want} value`);
      return lit;
    }
    // A spec built without a schema types date and bigint operands as strings; accept them when
    // they have the declared representation.
    if (lit.type === 'string' && typeof lit.value === 'string') {
      if (want === 'date' && isIsoDate(lit.value))
        return { kind: 'value', type: 'date', value: lit.value };
      if (want === 'bigint' && isCanonicalBigint(lit.value))
        return { kind: 'value', type: 'bigint', value: lit.value };
    }
    return fail(name, `expected a ${want} value, got a ${lit.type}`);
  };
  const bindPredicate = (p: Predicate): Predicate => {
    switch (p.kind) {
      case 'const':
        return p;
      case 'and':
      case 'or':
        return { kind: p.kind, operands: p.operands.map(bindPredicate) };
      case 'not':
        return { kind: 'not', operand: bindPredicate(p.operand) };
      case 'compare': {
        const field = bindField(p.field);
        return { ...p, field, value: bindLiteral(field, p.value) };
      }
      case 'in': {
        const field = bindField(p.field);
        return { ...p, field, values: p.values.map((v) => bindLiteral(field, v)) };
      }
      case 'between': {
        const field = bindField(p.field);
        return { ...p, field, low: bindLiteral(field, p.low), high: bindLiteral(field, p.high) };
      }
      case 'arrayContains': {
        const field = bindField(p.field);
        if (field.type !== 'array')
          return fail(field.path.join('.'), 'arrayContains needs an array field');
        return { ...p, field, values: p.values.map((v) => bindLiteral(field, v)) };
      }
      case 'stringMatch':
      case 'like': {
        const field = bindField(p.field);
        if (field.type !== 'string')
          return fail(field.path.join('.'), `${p.kind} needs a string field`);
        // Malformed patterns (a trailing escape) fail here, by the evaluator's own rules, rather
        // than as a server error from one backend and silently from another.
        if (p.kind === 'like') compileLike(p.pattern, p.ignoreCase);
        return { ...p, field };
      }
      case 'isNull':
      case 'exists':
        return { ...p, field: bindField(p.field) };
      default:
        return fail('', `unsupported predicate kind "${(p as { kind: string }).kind}"`);
    }
  };
  const idField = bindField(query.idField);
  if (idField.path.join('.') !== entity.id) {
    fail(idField.path.join('.'), `the id field of entity "${entity.name}" is "${entity.id}"`);
  }
  const orderBy = query.orderBy.map((o) => {
    const field = bindField(o.field);
    if (field.type === 'array' || field.type === 'object')
      fail(field.path.join('.'), 'cannot order by a non-scalar field');
    return { ...o, field };
  });
  const keyset = query.after;
  return {
    ...query,
    idField,
    where: query.where ? bindPredicate(query.where) : null,
    orderBy,
    select: query.select ? query.select.map(bindField) : null,
    after: keyset,
  };
}

/** Validates an item against the schema; throws `ValidationError` listing every problem. */
export function validateItem(entity: EntityDef, item: unknown): void {
  const issues: ValidationIssue[] = entity.validate(item);
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new ValidationError(
      `invalid ${entity.name}: ${first.field || '(item)'} ${first.message}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`,
      { entity: entity.name, issues },
    );
  }
}

/** The id of an item (the entity's id field). */
export function idOf(entity: EntityDef, item: object): Id {
  const id = (item as Record<string, unknown>)[entity.id];
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new ValidationError(
      `${entity.name}: the id field "${entity.id}" must be a string or a number`,
      {
        entity: entity.name,
        issues: [{ field: entity.id, message: 'missing or invalid id' }],
      },
    );
  }
  return id;
}

/** Checks an id passed to `getById`/`delete` has the declared type. */
export function checkId(entity: EntityDef, id: unknown): Id {
  const type = entity.fieldAt(entity.id)?.type;
  if (
    (type === 'number' && typeof id === 'number' && Number.isFinite(id)) ||
    (type !== 'number' && typeof id === 'string')
  ) {
    return id;
  }
  throw new ValidationError(
    `${entity.name}: ids are ${type === 'number' ? 'numbers' : 'strings'}`,
    {
      entity: entity.name,
      issues: [{ field: entity.id, message: 'invalid id' }],
    },
  );
}

/** A copy of `item` with the version field set (when the entity declares one). */
export function withVersion<T extends object>(entity: EntityDef, item: T, version: number): T {
  if (!entity.version) return item;
  return { ...item, [entity.version]: version };
}

/** The version an `update` must check: explicit option, else the item's version field. */
export function expectedVersionOf(
  entity: EntityDef,
  item: object | undefined,
  explicit: number | null | undefined,
): number | null {
  if (explicit !== undefined) return explicit;
  if (!entity.version || !item) return null;
  const v = (item as Record<string, unknown>)[entity.version];
  return typeof v === 'number' ? v : null;
}

/** Items with the version field filled in for validation (callers may omit it on add). */
export function prepareForWrite<T extends object>(entity: EntityDef, item: T, version: number): T {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new ValidationError(`${entity.name}: an item must be an object`, { entity: entity.name });
  }
  const out = withVersion(entity, item, version);
  validateItem(entity, out);
  return out;
}

/** JSON deep copy: what a store hands back never aliases what the caller or the store holds. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
