/**
 * Reading a unary request body on the lean path, within limits:
 *
 * - size: the body's reader ({@link BodyReader}) decides as soon as the body is too large (an
 *   envelope prefix or a content-length over readMaxBytes is enough; nothing is kept past it);
 * - time: the body (with authentication, which runs first) must arrive within `timeoutMs`, or the
 *   call ends with DEADLINE_EXCEEDED;
 * - memory: every byte kept is charged to the connection's and the server's {@link ByteBudget}
 *   while it is kept; a charge over either budget ends the call with RESOURCE_EXHAUSTED.
 *
 * Whatever happens, `done` is called exactly once and, by then, its timer is cleared and every
 * byte charged is refunded; its listeners are removed from a body still arriving (a body that
 * ended emits nothing more they would act on, and removing them would cost every call).
 */
import type { Readable } from 'node:stream';
import { Code, ConnectError } from '@connectrpc/connect';
import type { ByteBudget } from '../byte-budget.js';
import { tooLarge, type UnaryRead } from './envelope.js';

/** A request body deadline: Connect answers it 408 (the client was too slow), not 504. */
const bodyTimeouts = new WeakSet<ConnectError>();

export function bodyTimeout(ms: number): ConnectError {
  const e = new ConnectError(
    `the request body did not arrive within ${ms} ms`,
    Code.DeadlineExceeded,
  );
  bodyTimeouts.add(e);
  return e;
}

export function isBodyTimeout(error: ConnectError): boolean {
  return bodyTimeouts.has(error);
}

/** Takes a body chunk by chunk; see UnaryEnvelopeReader and PlainBodyReader. */
export interface BodyReader {
  readonly decided: ConnectError | undefined;
  readonly heldBytes: number;
  push(chunk: Buffer): void;
  end(): UnaryRead;
}

/**
 * How a body read ended. `complete` says whether the client's body ended: when it did not, the
 * answer must also close the stream (or the HTTP/1.1 connection), since nobody reads the rest.
 */
export type BodyOutcome =
  | { kind: 'read'; result: UnaryRead; complete: boolean }
  /** The client went away (reset, disconnect) before its body ended: nothing to answer. */
  | { kind: 'gone' };

export interface BodyLimits {
  budget: ByteBudget;
  /** The connection the body arrives on (the HTTP/2 session or the socket), for the budget. */
  connection: object;
  /** Milliseconds left for the body, from the start of the request. */
  timeoutMs: number;
}

/** A Connect unary body (not enveloped): bytes up to readMaxBytes, as one buffer. */
export class PlainBodyReader implements BodyReader {
  decided: ConnectError | undefined;
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly readMaxBytes: number,
    private readonly decode: (bytes: Buffer) => unknown,
    contentLength: number | undefined,
  ) {
    if (contentLength !== undefined && contentLength > readMaxBytes)
      this.decided = tooLarge(readMaxBytes, contentLength);
  }

  get heldBytes(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    this.size += chunk.length;
    this.chunks.push(chunk);
    if (this.size > this.readMaxBytes) {
      this.chunks = [];
      this.size = 0;
      this.decided = tooLarge(this.readMaxBytes);
    }
  }

  end(): UnaryRead {
    if (this.decided) return { ok: false, error: this.decided };
    const body =
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    try {
      return { ok: true, message: this.decode(body) };
    } catch (e) {
      return { ok: false, error: ConnectError.from(e, Code.InvalidArgument) };
    }
  }
}

type AnyRequestStream = Readable & {
  aborted?: boolean;
  complete?: boolean;
  closed?: boolean;
  stream?: { closed?: boolean; aborted?: boolean };
};

/** The stream was reset or its connection dropped (raw Http2Stream, Http2ServerRequest, or h1). */
function reset(source: AnyRequestStream): boolean {
  if (source.aborted) return true;
  // Http2ServerRequest wraps the stream; a raw Http2Stream is the stream. While its body is
  // arriving, or right after it ended, it is at most half-closed: closed means it was reset.
  const stream = source.stream ?? source;
  return (
    stream.aborted === true ||
    ('stream' in source || 'rstCode' in source ? stream.closed === true : false)
  );
}

/** The request is over before its body was read (the client left during authentication). */
function gone(source: AnyRequestStream): boolean {
  return source.destroyed || reset(source);
}

/**
 * Whether the body's end is the client's END_STREAM: node also ends the readable side of a
 * stream that was reset, and an HTTP/1.1 body is `complete` only when it all arrived.
 */
function abandoned(source: AnyRequestStream): boolean {
  return reset(source) || source.complete === false;
}

/**
 * Errors on the request (a reset, ECONNRESET) are followed by 'close'; listening keeps them from
 * becoming uncaught exceptions.
 */
function ignoreError(): void {}

export function readBody(
  source: AnyRequestStream,
  reader: BodyReader,
  limits: BodyLimits,
  done: (outcome: BodyOutcome) => void,
): void {
  const { budget, connection } = limits;
  let charged = 0;
  let finished = false;

  const settle = (outcome: BodyOutcome) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    // A body that ended (or a request that is gone) emits nothing more that the listeners would
    // act on: 'close' finds the read finished, and errors stay ignored. Only a body still
    // arriving must stop feeding the reader.
    if (outcome.kind === 'read' && !outcome.complete) {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onClose);
      source.off('error', ignoreError);
    }
    budget.refund(connection, charged);
    charged = 0;
    // Whatever the client still sends is dropped, not buffered, until the answer closes the stream.
    if (outcome.kind === 'read' && !outcome.complete) source.resume();
    done(outcome);
  };
  const fail = (error: ConnectError) =>
    settle({ kind: 'read', result: { ok: false, error }, complete: false });

  const onData = (chunk: Buffer) => {
    reader.push(chunk);
    if (reader.decided) return fail(reader.decided);
    const held = reader.heldBytes;
    if (held > charged) {
      const refusal = budget.charge(connection, held - charged);
      if (refusal) return fail(refusal);
    } else if (held < charged) {
      budget.refund(connection, charged - held);
    }
    charged = held;
  };
  const onEnd = () => {
    if (abandoned(source)) return settle({ kind: 'gone' });
    settle({ kind: 'read', result: reader.end(), complete: true });
  };
  // 'close' before 'end': the stream was reset or the connection dropped mid-body.
  const onClose = () => settle({ kind: 'gone' });

  const timer = setTimeout(() => fail(bodyTimeout(limits.timeoutMs)), limits.timeoutMs);
  if (gone(source)) settle({ kind: 'gone' });
  else if (reader.decided) fail(reader.decided);
  if (finished) return;
  source.on('data', onData);
  source.on('end', onEnd);
  source.on('close', onClose);
  source.on('error', ignoreError);
}
