/**
 * The typed errors of the publishing service. Every one is a {@link PublishingError} carrying the
 * HTTP status it stands for (`statusCode`, the property Fastify's own error handling reads), a
 * stable problem `type` slug and, where the caller can fix something, field-level `errors` with
 * JSON-pointer fields — so the HTTP layer maps them to RFC 9457 problem+json in one place.
 *
 * | error                      | status | thrown when                                                              |
 * | -------------------------- | ------ | ------------------------------------------------------------------------ |
 * | StoryNotFoundError         | 404    | the story id does not exist                                              |
 * | StoryNotPublishableError   | 409    | the story cannot be registered as it is (not a draft, bad contributors)  |
 * | NotRegisteredYetError      | 409    | royalties asked for a story whose registration is not far enough along   |
 * | InvalidRoyaltyRequestError | 400    | a payment or claim request is malformed (e.g. wei not a decimal integer) |
 * | ChainUnavailableError      | 503    | the Chain service is down, overloaded or too slow; retrying is safe      |
 * | ChainRejectedError         | 422/409| the Chain service refused the request (field violations, conflicts)      |
 */

/** One invalid field, as the HTTP layer reports it (`field` is a JSON pointer such as `/amountWei`). */
export interface FieldError {
  field: string;
  message: string;
}

/** The base of every error the publishing service throws on purpose. */
export class PublishingError extends Error {
  /** The HTTP status this error maps to. */
  readonly statusCode: number;
  /** Short problem type slug, e.g. `story-not-found` (the HTTP layer may prefix it with a URI). */
  readonly type: string;
  /** True when the same call may succeed later without the caller changing anything. */
  readonly retryable: boolean;
  /** Field-level details, when the caller can fix the request. */
  readonly errors: readonly FieldError[];

  constructor(
    message: string,
    init: {
      statusCode: number;
      type: string;
      retryable?: boolean;
      errors?: readonly FieldError[];
      cause?: unknown;
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.statusCode = init.statusCode;
    this.type = init.type;
    this.retryable = init.retryable ?? false;
    this.errors = init.errors ?? [];
  }
}

/** 404: no story with this id. */
export class StoryNotFoundError extends PublishingError {
  readonly storyId: string;
  constructor(storyId: string) {
    super(`story ${storyId} not found`, { statusCode: 404, type: 'story-not-found' });
    this.storyId = storyId;
  }
}

/**
 * 409: the story cannot be registered as it is: it is not a draft (published without a
 * registration record), or its contributors would be refused by the chain (no contributors,
 * shares not summing to 10 000 basis points, a wallet that is not `0x` + 40 hex digits). `errors`
 * names the offending fields; nothing was written.
 */
export class StoryNotPublishableError extends PublishingError {
  readonly storyId: string;
  constructor(storyId: string, message: string, errors: readonly FieldError[] = []) {
    super(message, { statusCode: 409, type: 'story-not-publishable', errors });
    this.storyId = storyId;
  }
}

/**
 * 409: royalties need an IP asset: the story has no registration yet, it is still pending, or (for
 * payments and claims) its registration is not confirmed yet. `state` is the current state
 * (`undefined` = never published).
 */
export class NotRegisteredYetError extends PublishingError {
  readonly storyId: string;
  readonly state: string | undefined;
  constructor(storyId: string, state: string | undefined, needed: string) {
    super(
      state === undefined
        ? `story ${storyId} has not been published`
        : `story ${storyId} registration is ${state}; ${needed}`,
      { statusCode: 409, type: 'not-registered-yet' },
    );
    this.storyId = storyId;
    this.state = state;
  }
}

/** 400: a payment or claim request is malformed; `errors` says which field and why. */
export class InvalidRoyaltyRequestError extends PublishingError {
  constructor(errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
      statusCode: 400,
      type: 'invalid-royalty-request',
      errors,
    });
  }
}

/**
 * 503: the Chain service could not be reached or answered too late (UNAVAILABLE after the client's
 * retries, DEADLINE_EXCEEDED, an open circuit breaker, an internal server failure). Retrying is
 * safe: a story being published stays `pending` with its idempotency key, and the next `publish`
 * completes it exactly once. `cause` is the chain client's error.
 */
export class ChainUnavailableError extends PublishingError {
  /** The Chain service's retry hint in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, {
      statusCode: 503,
      type: 'chain-unavailable',
      retryable: true,
      cause: options.cause,
    });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** One field the Chain service refused (from its google.rpc.BadRequest). */
export interface ChainViolation {
  /** The chain request's field path, e.g. `contributors[0].wallet_address`. */
  field: string;
  description: string;
  reason?: string;
}

/**
 * The Chain service refused the request: 422 when it found the request invalid (INVALID_ARGUMENT,
 * `violations` from its BadRequest), 409 for a conflict or precondition (ALREADY_EXISTS,
 * FAILED_PRECONDITION, e.g. nothing left to claim), 502 for refusals that are this service's
 * problem rather than the caller's (UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED). Retrying
 * the same request does not help. `code` is the gRPC code name.
 */
export class ChainRejectedError extends PublishingError {
  readonly code: string;
  readonly violations: readonly ChainViolation[];
  constructor(
    message: string,
    init: {
      code: string;
      statusCode: number;
      violations?: readonly ChainViolation[];
      cause?: unknown;
    },
  ) {
    super(message, {
      statusCode: init.statusCode,
      type: 'chain-rejected',
      cause: init.cause,
      errors: (init.violations ?? []).map((v) => ({
        field: `/chain/${v.field}`,
        message: v.description,
      })),
    });
    this.code = init.code;
    this.violations = init.violations ?? [];
  }
}
