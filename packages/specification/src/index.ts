/**
 * @mystira/specification: write a query once (typed builder), get a plain, versioned, hashable
 * AST that every backend compiles (in-memory here; PostgreSQL and Cosmos DB in their adapters).
 * Keyset cursors (which need node:crypto) live in `@mystira/specification/cursor`.
 *
 * @packageDocumentation
 */
export {
  type AggregateOf,
  type AggregateRow,
  AggregateSpecification,
  type Aggregates,
  type AggregateValue,
  aggregateApplies,
  aggregateQuery,
  aggregates,
  checkAggregate,
  checkAggregateNames,
  checkAggregateSource,
  checkGroupKey,
  type DateUnitPrefix,
  dateUnitPrefix,
  type GroupColumns,
  type GroupCount,
  GroupedSpecification,
  groupKeyField,
  hashAggregate,
  truncateDate,
} from './aggregate.js';
export {
  type AggregatePartial,
  type AggregateSource,
  aggregateQueryOf,
  canonicalValue,
  evaluateAggregate,
  finishAggregate,
  type PartialGroup,
} from './aggregate-evaluate.js';
export * from './ast.js';
export {
  type ArrayPath,
  type CacheOptions,
  type CaseOptions,
  fromQuery,
  type Operand,
  type Path,
  type PathValue,
  predicates,
  type ScalarPath,
  Specification,
  type SpecOptions,
  type StringPath,
  spec,
  type Where,
} from './builder.js';
export {
  type ConformanceCase,
  type ConformanceExpectation,
  conformanceCases,
  Probe,
  type ProbeT,
  probeRows,
} from './conformance.js';
export * from './errors.js';
export {
  any,
  compileComparator,
  compilePredicate,
  count,
  type EvaluateOptions,
  evaluate,
  first,
  isSatisfiedBy,
  type Page,
  page,
  projector,
  type SpecSource,
  single,
} from './evaluate.js';
export {
  addDecimal,
  type Decimal,
  decimalOfNumber,
  decimalToIntegerString,
  decimalToNumber,
  divideToNumber,
  ExactSum,
  parseDecimal,
  toDecimal,
} from './exact.js';
export { type Feature, featuresOf } from './features.js';
export { keysetOf } from './keyset.js';
export {
  canonicalJson,
  effectiveOrder,
  flatten,
  foldConstants,
  foldIgnoreCase,
  hashQuery,
  keysetPredicate,
  normalize,
  normalizePredicate,
  simplifyLists,
  sortOperands,
} from './normalize.js';
export { fromJSON, type ParseLimits, type ParseOptions } from './parse.js';
export { type AggregateParseOptions, fromAggregateJSON } from './parse-aggregate.js';
export {
  ALL_OPERATORS,
  type OperatorName,
  operatorApplies,
  orderable,
  parsePath,
  resolveField,
} from './rules.js';
export {
  type EntityDef,
  type EntityOptions,
  entity,
  type Field,
  type FieldInfo,
  field,
  type Infer,
  type InferShape,
  isCanonicalBigint,
  isIsoDate,
  type SchemaIssue,
  type Shape,
} from './schema.js';
export { sha256Hex } from './sha256.js';
export { bigintSortKey, codePointSortKey } from './sortkeys.js';
export {
  compareBigintStrings,
  compareStrings,
  compileLike,
  escapeLike,
  foldAscii,
  toLiteral,
} from './values.js';
export { children, type PredicateVisitor, transform, visit, walk } from './walk.js';
