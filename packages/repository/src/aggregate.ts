/**
 * Aggregates through a repository: binding an aggregate query to the entity (as `bindQuery`
 * binds a query: declared fields only, their declared types filled in, the aggregate rules of
 * `@mystira/specification` checked), and calling a repository's optional `aggregate` method with
 * a clear error when the repository has none.
 */
import {
  type AggregateQueryNode,
  type AggregateSource,
  aggregateQuery,
  aggregateQueryOf,
  type EntityDef,
  type FieldRef,
  type GroupKey,
  groupKeyField,
} from '@mystira/specification';
import { bindQuery, specErrors } from './core.js';
import { ValidationError } from './errors.js';
import type { CallOptions, Repository } from './port.js';

/**
 * Binds an aggregate query to the entity: its source as `bindQuery` does, every group key and
 * aggregated field to the declared field (types filled in), then the aggregate rules checked
 * again with the declared types (a `sum` of a string field fails here even when the spec was
 * built without a schema). Throws `ValidationError`.
 */
export function bindAggregate(
  entity: EntityDef,
  source: AggregateSource<unknown, unknown>,
): AggregateQueryNode {
  return specErrors(entity.name, () => {
    const node = aggregateQueryOf(source);
    if (node?.kind !== 'aggregateQuery')
      throw new ValidationError('expected an aggregate specification', { entity: entity.name });
    const fields: FieldRef[] = [
      ...node.groupBy.map(groupKeyField),
      ...node.aggregates.flatMap((n) => (n.aggregate.field ? [n.aggregate.field] : [])),
    ];
    // bindQuery binds `select` fields like any other: borrow it to bind these.
    const bound = bindQuery(entity, { ...node.source, select: fields.length ? fields : null });
    const refs = [...(bound.select ?? [])];
    const groupBy = node.groupBy.map(
      (key): GroupKey =>
        key.kind === 'dateBucket' ? { ...key, field: refs.shift()! } : refs.shift()!,
    );
    const aggregates = node.aggregates.map((n) => ({
      name: n.name,
      aggregate: { ...n.aggregate, field: n.aggregate.field ? refs.shift()! : null },
    }));
    return aggregateQuery({ ...bound, select: null }, groupBy, aggregates, node.shape);
  });
}

/**
 * Runs an aggregate on `repository`, or fails with a `ValidationError` saying that this
 * repository (a decorator, or an adapter without aggregates) does not run them, rather than
 * with "undefined is not a function".
 */
export function runAggregate<T extends object, R>(
  repository: Repository<T>,
  spec: AggregateSource<T, R>,
  options?: CallOptions,
): Promise<R> {
  if (typeof repository.aggregate !== 'function') {
    const what = repository.backend?.system ?? repository.decorator?.name ?? 'this repository';
    return Promise.reject(
      new ValidationError(
        `${repository.entity.name}: ${what} does not run aggregates (the repository has no aggregate method)`,
        { entity: repository.entity.name },
      ),
    );
  }
  return repository.aggregate(spec, options);
}
