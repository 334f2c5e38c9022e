/**
 * Cosmos DB errors translated into the repository's typed errors (see `@mystira/repository`),
 * plus the two this adapter adds. The SDK's `ErrorResponse` stays on `cause`.
 */
import {
  AbortedError,
  AlreadyExistsError,
  NotFoundError,
  RepositoryError,
  type RepositoryErrorDetails,
  UnavailableError,
  ValidationError,
} from '@mystira/repository';
import { cosmosStatus } from '@mystira/resilience';
import { brandErrors } from '../../../shared/error-brand.js';

/**
 * The specification uses a construct the target cannot run and that the adapter will not emulate
 * (for example an in-memory sort of more rows than `maxInMemoryRows`). Never transient. It is a
 * `ValidationError` (code `VALIDATION`) so HTTP mappings treat it as a bad request.
 */
export class UnsupportedQueryError extends ValidationError {
  constructor(message: string, details: RepositoryErrorDetails = {}) {
    super(message, { ...details, issues: [{ field: '', message }] });
  }
}

/**
 * The account refused the credentials (401) or the operation (403). Code `UNAVAILABLE` because the
 * port has no better one, but `transient` is false: retrying with the same credentials fails again.
 */
export class CosmosAccessError extends UnavailableError {
  /** The HTTP status Cosmos DB answered with (401 or 403). */
  readonly status: number;
  constructor(message: string, status: number, details?: RepositoryErrorDetails) {
    super(message, details);
    this.status = status;
    Object.defineProperty(this, 'transient', { value: false });
  }
}

/** The entity cannot be stored in Cosmos DB as declared (reserved property names). */
export class CosmosEntityError extends ValidationError {}

brandErrors('@mystira/repository-cosmos', {
  UnsupportedQueryError,
  CosmosAccessError,
  CosmosEntityError,
});

/** The SDK's abort error, or any error after the caller's signal fired. */
function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError';
}

/**
 * Maps an SDK error to a `RepositoryError`. `notFound` decides what a 404 means for the caller
 * (a missing item for `update`/`delete`, a missing container otherwise).
 */
export function mapCosmosError(
  err: unknown,
  context: {
    entity: string;
    id?: string | number;
    signal?: AbortSignal;
    notFound?: 'item' | 'container';
  },
): unknown {
  if (err instanceof RepositoryError) return err;
  const { entity, id } = context;
  if (isAbort(err, context.signal)) {
    return new AbortedError('the operation was aborted', {
      entity,
      id,
      cause: context.signal?.reason ?? err,
    });
  }
  const status = cosmosStatus(err);
  // Without an HTTP status, only transport failures are the store's; anything else (a programming
  // error, MultipleResultsError from single()) surfaces as it is.
  if (status === undefined && !isTransportError(err)) return err;
  const message = (err as { message?: string } | null)?.message ?? String(err);
  switch (status) {
    case 400:
    case 413:
      return new ValidationError(
        `Cosmos DB rejected the request (${status}): ${firstLine(message)}`,
        {
          entity,
          id,
          cause: err,
        },
      );
    case 401:
    case 403:
      return new CosmosAccessError(
        `Cosmos DB refused access (${status}): ${firstLine(message)}`,
        status,
        {
          entity,
          cause: err,
        },
      );
    case 404:
      return context.notFound === 'item'
        ? new NotFoundError(`${entity} "${id}" not found`, { entity, id, cause: err })
        : new UnavailableError(
            `Cosmos DB resource not found (does the container exist?): ${firstLine(message)}`,
            {
              entity,
              cause: err,
            },
          );
    case 409:
      return new AlreadyExistsError(`${entity} "${id}" already exists`, { entity, id, cause: err });
    case undefined:
    case 408:
    case 410:
    case 429:
    case 449:
    case 500:
    case 502:
    case 503:
    case 504:
      return new UnavailableError(
        `Cosmos DB unavailable${status ? ` (${status})` : ''}: ${firstLine(message)}`,
        {
          entity,
          id,
          cause: err,
        },
      );
    default:
      return new UnavailableError(`Cosmos DB error (${status}): ${firstLine(message)}`, {
        entity,
        id,
        cause: err,
      });
  }
}

function isTransportError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const name = (err as { name?: unknown } | null)?.name;
  return (
    (typeof code === 'string' && /^(E[A-Z]+|UND_ERR\w*|REQUEST_SEND_ERROR)$/.test(code)) ||
    name === 'RestError' ||
    name === 'TimeoutError'
  );
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
