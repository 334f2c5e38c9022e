/**
 * Every error this package throws is a `SpecificationError`, so a caller (an HTTP handler turning
 * an untrusted spec into a 400, a repository adapter) can catch one class and read `code`, `path`
 * and `field` instead of parsing messages.
 */

import { brandErrors } from '../../../shared/error-brand.js';

/** Machine-readable reason, stable across releases. */
export type SpecificationErrorCode =
  | 'INVALID_SPECIFICATION'
  | 'UNKNOWN_FIELD'
  | 'UNSUPPORTED_OPERATOR'
  | 'INVALID_VALUE'
  | 'LIMIT_EXCEEDED'
  | 'FORBIDDEN_KEY'
  | 'UNSUPPORTED_VERSION'
  | 'INVALID_CURSOR'
  | 'MULTIPLE_RESULTS'
  | 'INVALID_SCHEMA';

/** What a {@link SpecificationError} points at (a place in the input, an entity field) and its cause. */
export interface SpecificationErrorDetails {
  /**
   * JSON Pointer (RFC 6901) into the input that was rejected, e.g. `/where/operands/1/value`.
   * Empty string for the root; undefined when the error is not about a location in an input.
   */
  path?: string;
  /** Dotted entity field path the error is about, e.g. `profile.country`. */
  field?: string;
  /** The underlying error, kept on `cause`. */
  cause?: unknown;
}

/**
 * The base of every error of `@mystira/specification`: catch one class, read `code`, `path` and
 * `field`.
 */
export class SpecificationError extends Error {
  /** The kind of failure. */
  readonly code: SpecificationErrorCode;
  /**
   * JSON Pointer into the rejected input (`''` for the root), or undefined when the error is not
   * about a place in an input.
   */
  readonly path: string | undefined;
  /** The dotted entity field path the error is about, when there is one. */
  readonly field: string | undefined;

  constructor(
    code: SpecificationErrorCode,
    message: string,
    details: SpecificationErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = details.path;
    this.field = details.field;
  }
}

/** What {@link withCode} makes: a constructor that takes a message and details, not a code. */
type CodedErrorClass = new (
  message: string,
  details?: SpecificationErrorDetails,
) => SpecificationError;

/**
 * The base of the error classes below that carry nothing but their code: a subclass of
 * `SpecificationError` whose constructor fills the code in.
 */
function withCode(code: SpecificationErrorCode): CodedErrorClass {
  return class extends SpecificationError {
    constructor(message: string, details?: SpecificationErrorDetails) {
      super(code, message, details);
    }
  };
}

/** The input is not a well-formed specification: wrong shape, missing or extra keys, wrong types. */
export class InvalidSpecificationError extends withCode('INVALID_SPECIFICATION') {}

/** A field path that the entity schema does not declare (or that is not allowed in this position). */
export class UnknownFieldError extends withCode('UNKNOWN_FIELD') {}

/** An operator that does not exist, is not whitelisted, or does not apply to the field's type. */
export class UnsupportedOperatorError extends withCode('UNSUPPORTED_OPERATOR') {}

/** An operand that does not fit the field's type (e.g. a malformed ISO date, NaN, a non-integer take). */
export class InvalidValueError extends withCode('INVALID_VALUE') {}

/** The input is larger or deeper than the configured limits allow. */
export class LimitExceededError extends SpecificationError {
  /** Which limit was exceeded, e.g. `maxDepth`. */
  readonly limit: string;
  constructor(limit: string, message: string, details?: SpecificationErrorDetails) {
    super('LIMIT_EXCEEDED', message, details);
    this.limit = limit;
  }
}

/** A key such as `__proto__`, `constructor` or `prototype` that could pollute prototypes. */
export class ForbiddenKeyError extends withCode('FORBIDDEN_KEY') {}

/** A serialized specification of an AST version this release does not understand. */
export class UnsupportedVersionError extends withCode('UNSUPPORTED_VERSION') {}

/** A keyset cursor that is malformed, was tampered with, or belongs to a different specification. */
export class InvalidCursorError extends withCode('INVALID_CURSOR') {}

/** `single()` found more than one matching item. */
export class MultipleResultsError extends SpecificationError {
  constructor(message = 'expected at most one matching item, found more') {
    super('MULTIPLE_RESULTS', message);
  }
}

/** An entity declaration that cannot work (e.g. the id field is missing or not a string/number). */
export class InvalidSchemaError extends withCode('INVALID_SCHEMA') {}

brandErrors('@mystira/specification', {
  SpecificationError,
  InvalidSpecificationError,
  UnknownFieldError,
  UnsupportedOperatorError,
  InvalidValueError,
  LimitExceededError,
  ForbiddenKeyError,
  UnsupportedVersionError,
  InvalidCursorError,
  MultipleResultsError,
  InvalidSchemaError,
});
