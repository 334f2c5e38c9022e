/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json`.
 *
 * `toProblem` is the one place where errors become HTTP answers: request validation (AJV errors
 * as JSON pointers), the API's own errors, repository errors, the publishing service's typed
 * errors (matched by name, so this module does not depend on that service), and anything else,
 * which is a 500 that says nothing about the internals (the cause goes to the log only).
 */
import {
  AlreadyExistsError,
  ConcurrencyError,
  NotFoundError,
  ValidationError,
} from '@mystira/repository';
import { unavailableProblem } from './overload/unavailable.ts';

export interface FieldError {
  /** JSON pointer into the request part (`/email`, `/contributors/0/shareBasisPoints`). */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  retryable?: boolean;
  traceId?: string;
}

const TYPE_BASE = 'https://mystira.app/problems/';

/** An error the API raises on purpose; its message is safe to show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  /** Last segment of the problem `type` URI. */
  readonly slug: string;
  readonly title: string;
  readonly extra: { errors?: FieldError[]; retryable?: boolean };

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    extra: { errors?: FieldError[]; retryable?: boolean } = {},
  ) {
    super(detail);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.extra = extra;
  }
}

export const notFound = (what: string, id: string) =>
  new ApiError(404, 'not-found', 'Not found', `${what} ${id} does not exist`);
export const conflict = (detail: string) => new ApiError(409, 'conflict', 'Conflict', detail);
export const invalid = (detail: string, errors: FieldError[]) =>
  new ApiError(400, 'validation', 'Invalid request', detail, { errors });

/** One AJV error, as Fastify reports it (`error.validation`). */
export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** AJV errors -> field errors with JSON pointers to the offending value (or missing property). */
export function fieldErrors(errors: readonly AjvError[]): FieldError[] {
  return errors.map((e) => {
    let field = e.instancePath;
    const missing = e.keyword === 'required' ? e.params.missingProperty : undefined;
    const extra = e.keyword === 'additionalProperties' ? e.params.additionalProperty : undefined;
    const name = missing ?? extra;
    if (typeof name === 'string') field = `${field}/${escapePointer(name)}`;
    let message = e.message ?? e.keyword;
    if (extra !== undefined) message = 'is not allowed';
    else if (missing !== undefined) message = 'is required';
    return { field: field || '/', message };
  });
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** `profile.country` / `items[2]` (repository issue paths) -> `/profile/country`, `/items/2`. */
function pointerOf(path: string): string {
  if (!path) return '/';
  return `/${path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .map(escapePointer)
    .join('/')}`;
}

/**
 * The publishing service's errors (src/publishing/errors.ts) carry their HTTP status, a problem
 * type slug, `retryable` and field `errors` (JSON pointers). Recognised by shape, so this module
 * does not import that service.
 */
interface PublishingErrorShape {
  name: string;
  message: string;
  statusCode: number;
  type: string;
  retryable: boolean;
  errors: readonly FieldError[];
}

function isPublishingError(e: unknown): e is PublishingErrorShape {
  if (!(e instanceof Error)) return false;
  const x = e as Partial<PublishingErrorShape>;
  return (
    typeof x.statusCode === 'number' &&
    typeof x.type === 'string' &&
    typeof x.retryable === 'boolean' &&
    Array.isArray(x.errors)
  );
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  validation?: AjvError[];
  validationContext?: string;
}

/**
 * The problem for `err`. `internal` is true when the error is unexpected: the caller logs it as
 * an error (the response says only "internal error").
 */
export function toProblem(err: unknown): { problem: Problem; internal: boolean } {
  const e = err as Error & FastifyLikeError;
  const base = (status: number, slug: string, title: string, detail?: string): Problem => ({
    type: `${TYPE_BASE}${slug}`,
    title,
    status,
    ...(detail ? { detail } : {}),
  });

  if (e instanceof ApiError) {
    return {
      problem: { ...base(e.status, e.slug, e.title, e.message), ...e.extra },
      internal: false,
    };
  }
  if (e?.validation) {
    const part = e.validationContext ?? 'body';
    return {
      problem: {
        ...base(400, 'validation', 'Invalid request', `the request ${part} is invalid`),
        errors: fieldErrors(e.validation),
      },
      internal: false,
    };
  }
  if (isPublishingError(e)) {
    const p = base(e.statusCode, e.type, httpTitle(e.statusCode), e.message);
    if (e.retryable) p.retryable = true;
    if (e.errors.length > 0) p.errors = [...e.errors];
    return { problem: p, internal: false };
  }
  if (e instanceof NotFoundError)
    return {
      problem: base(404, 'not-found', 'Not found', 'the item does not exist'),
      internal: false,
    };
  if (e instanceof AlreadyExistsError)
    return {
      problem: base(409, 'conflict', 'Conflict', 'the item already exists'),
      internal: false,
    };
  if (e instanceof ConcurrencyError)
    return {
      problem: base(
        409,
        'version-conflict',
        'Conflict',
        'the item was changed concurrently; read it again and retry',
      ),
      internal: false,
    };
  if (e instanceof ValidationError) {
    // A store refusing what passed the HTTP schema: the caller's data, but say no more than the fields.
    const issues = e.issues ?? [];
    return {
      problem: {
        ...base(400, 'validation', 'Invalid request', 'the data was refused by the store'),
        errors: issues.map((i) => ({ field: pointerOf(i.field), message: i.message })),
      },
      internal: false,
    };
  }
  // Down, timed out, out of connections, circuit open, bulkhead full: 503 naming the dependency.
  const unavailable = unavailableProblem(e);
  if (unavailable) return { problem: unavailable, internal: false };
  // Fastify's own client errors (malformed JSON, body too large, unsupported media type, ...).
  const status = e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      problem: base(status, 'bad-request', httpTitle(status), e.message),
      internal: false,
    };
  }
  return {
    problem: base(500, 'internal', 'Internal server error', 'an unexpected error occurred'),
    internal: true,
  };
}

function httpTitle(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request';
    case 404:
      return 'Not found';
    case 405:
      return 'Method not allowed';
    case 409:
      return 'Conflict';
    case 413:
      return 'Payload too large';
    case 415:
      return 'Unsupported media type';
    case 422:
      return 'Unprocessable content';
    case 502:
      return 'Bad gateway';
    case 503:
      return 'Service unavailable';
    default:
      return status >= 500 ? 'Server error' : 'Client error';
  }
}
