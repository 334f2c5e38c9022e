/**
 * Every error `@mystira/cdc` throws is a {@link CdcError}; `code` says which kind it is, so a
 * supervisor can tell a mistake in the options (fix the code) from a lost connection or a failing
 * sink (retry) from a replication slot the server has given up on (recreate it, then rebuild what
 * depends on the changes, e.g. clear the cache).
 */
import { brandErrors } from '../../../shared/error-brand.js';

/**
 * What kind of failure a {@link CdcError} is:
 * - `OPTIONS`: invalid options (thrown synchronously, at start-up);
 * - `SOURCE`: the change stream failed (connection lost, protocol error); a restart resumes
 *   from the last acknowledged position;
 * - `SLOT`: the replication slot is missing, in use by another consumer, or lost (the server
 *   removed WAL it still needed: changes were skipped);
 * - `SINK`: the sink failed to handle a batch (it is retried, never acknowledged);
 * - `CLOSED`: the source was closed.
 */
export type CdcErrorCode = 'OPTIONS' | 'SOURCE' | 'SLOT' | 'SINK' | 'CLOSED';

/** The base of every error of `@mystira/cdc`. */
export class CdcError extends Error {
  /** The kind of failure. */
  readonly code: CdcErrorCode;
  constructor(code: CdcErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invalid options. Thrown synchronously by the factory that received them. */
export class CdcOptionsError extends CdcError {
  constructor(message: string) {
    super('OPTIONS', message);
  }
}

/** The change stream failed: connection lost, the server refused replication, a bad message. */
export class CdcSourceError extends CdcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SOURCE', message, options);
  }
}

/**
 * The replication slot cannot be used: `reason` says why. `lost` means the server dropped WAL
 * the slot still needed (`max_slot_wal_keep_size`): changes were skipped, so whatever they fed
 * (a cache) must be rebuilt after the slot is recreated.
 */
export class CdcSlotError extends CdcError {
  /** `missing`, `active` (another consumer holds it) or `lost`. */
  readonly reason: 'missing' | 'active' | 'lost';
  /** The slot's name. */
  readonly slot: string;
  constructor(
    slot: string,
    reason: 'missing' | 'active' | 'lost',
    message: string,
    options?: { cause?: unknown },
  ) {
    super('SLOT', message, options);
    this.slot = slot;
    this.reason = reason;
  }
}

/** A sink failed to handle a batch; the batch was not acknowledged and is handled again. */
export class CdcSinkError extends CdcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SINK', message, options);
  }
}

/** The source was closed while it was being read or acknowledged. */
export class CdcClosedError extends CdcError {
  constructor(message = 'the change source is closed') {
    super('CLOSED', message);
  }
}

brandErrors('@mystira/cdc', {
  CdcError,
  CdcOptionsError,
  CdcSourceError,
  CdcSlotError,
  CdcSinkError,
  CdcClosedError,
});
