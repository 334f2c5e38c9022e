/**
 * The gRPC / gRPC-Web envelope (a 5-byte prefix: flags, then the message length as a big-endian
 * uint32; then the message) as the lean path reads and writes it. Pure: no streams, no sockets.
 *
 * {@link UnaryEnvelopeReader} takes a unary request body chunk by chunk and keeps at most one
 * message and one partial envelope, so what it holds is bounded by `readMaxBytes` however long the
 * body runs. Its answers are the Connect router's, code and message, so a client cannot tell the
 * two paths apart (a property test compares them byte for byte).
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { trailerFlag, trailerSerialize } from '@connectrpc/connect/protocol-grpc-web';

const COMPRESSED = 0b01;
/** An empty envelope's message: decoded, never kept or written to, so one serves all. */
const EMPTY = Buffer.alloc(0);

export function tooLarge(readMaxBytes: number, size?: number): ConnectError {
  return new ConnectError(
    `message size${size === undefined ? '' : ` ${size}`} is larger than configured readMaxBytes ${readMaxBytes}`,
    Code.ResourceExhausted,
  );
}

export function tooLargeToWrite(writeMaxBytes: number, size: number): ConnectError {
  return new ConnectError(
    `message size ${size} is larger than configured writeMaxBytes ${writeMaxBytes}`,
    Code.ResourceExhausted,
  );
}

export function parseFailure(error: unknown): ConnectError {
  return new ConnectError(
    `parse binary: ${error instanceof Error ? error.message : String(error)}`,
    Code.Internal,
  );
}

/** An envelope's prefix: flags (1 byte), then the message length (big-endian uint32). */
export const ENVELOPE_PREFIX_BYTES = 5;

/** Writes an envelope's prefix at the start of `frame`. */
export function writePrefix(frame: Buffer, flags: number, length: number): void {
  frame[0] = flags;
  frame.writeUInt32BE(length, 1);
}

/** gRPC-Web sends the status as the body's last envelope, flagged 0x80, not as HTTP trailers. */
export function trailerFrame(trailer: Headers): Buffer {
  const bytes = trailerSerialize(trailer);
  const frame = Buffer.allocUnsafe(ENVELOPE_PREFIX_BYTES + bytes.length);
  writePrefix(frame, trailerFlag, bytes.length);
  frame.set(bytes, ENVELOPE_PREFIX_BYTES);
  return frame;
}

/**
 * A whole enveloped body as the router may safely read it. Its decoder allocates what a prefix
 * declares as soon as it reads one, so a body that ends inside an envelope is handed over with
 * that envelope cut to its first byte: the router reads the envelopes before it in order, and
 * then answers "incomplete envelope" just as it would have, without allocating for the rest.
 * A prefix over readMaxBytes (complete, before the cut) is RESOURCE_EXHAUSTED, as on the lean path.
 */
export function safeEnvelopes(
  body: Buffer,
  readMaxBytes: number,
): { ok: true; body: Buffer } | { ok: false; error: ConnectError } {
  let at = 0;
  while (body.length - at >= 5) {
    const length = body.readUInt32BE(at + 1);
    if (length > readMaxBytes) return { ok: false, error: tooLarge(readMaxBytes, length) };
    if (body.length - at - 5 < length) return { ok: true, body: body.subarray(0, at + 1) };
    at += 5 + length;
  }
  return { ok: true, body };
}

export type UnaryRead = { ok: true; message: unknown } | { ok: false; error: ConnectError };

/**
 * Reads the one message of a unary gRPC or gRPC-Web request body, envelope by envelope.
 *
 * - An envelope declaring more than `readMaxBytes` decides the call at once (RESOURCE_EXHAUSTED),
 *   before a byte of it is kept.
 * - Envelopes flagged `skipFlag` (gRPC-Web trailers) are skipped without being kept.
 * - After the first failure (compressed envelope, parse failure, a second message) nothing more is
 *   kept; reading goes on only to the second message or an oversize prefix, which the router
 *   reports ahead of everything else.
 */
export class UnaryEnvelopeReader {
  /** Set once the body fails the call whatever else arrives: stop feeding it. */
  decided: ConnectError | undefined;
  /** A prefix split across chunks, gathered (made only when one is). */
  private prefix: Buffer | undefined;
  private prefixUsed = 0;
  /** The envelope being read: its flags, its length, and the bytes of it kept so far. */
  private flags = 0;
  private remaining = 0;
  private keep = false;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private inEnvelope = false;
  private messages = 0;
  private found = false;
  private message: unknown;
  private messageBytes = 0;
  private firstError: ConnectError | undefined;

  constructor(
    private readonly readMaxBytes: number,
    private readonly decode: (bytes: Uint8Array) => unknown,
    private readonly skipFlag?: number,
  ) {}

  /** Bytes of the body held now (a partial envelope and the decoded message's wire size). */
  get heldBytes(): number {
    return this.prefixUsed + this.partsLength + this.messageBytes;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.decided) {
      if (!this.inEnvelope) {
        if (this.prefixUsed === 0 && chunk.length - at >= 5) {
          // The common case: the whole prefix in this chunk, read where it is.
          this.startEnvelope(chunk[at] as number, chunk.readUInt32BE(at + 1));
          at += 5;
        } else {
          this.prefix ??= Buffer.alloc(5);
          const prefix = this.prefix;
          const take = Math.min(5 - this.prefixUsed, chunk.length - at);
          chunk.copy(prefix, this.prefixUsed, at, at + take);
          this.prefixUsed += take;
          at += take;
          if (this.prefixUsed < 5) return;
          this.startEnvelope(prefix[0] as number, prefix.readUInt32BE(1));
        }
        if (this.decided) return;
        if (this.remaining === 0) this.endEnvelope(EMPTY);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - at);
      const piece = chunk.subarray(at, at + take);
      at += take;
      this.remaining -= take;
      if (this.remaining === 0 && this.parts.length === 0) {
        this.endEnvelope(piece); // the common case: a whole envelope in one chunk, no copy
      } else {
        if (this.keep) {
          this.parts.push(piece);
          this.partsLength += piece.length;
        }
        if (this.remaining === 0) this.endEnvelope(Buffer.concat(this.parts, this.partsLength));
      }
    }
  }

  /** The body ended: the message, or the router's error for this body. */
  end(): UnaryRead {
    if (this.decided) return { ok: false, error: this.decided };
    if (this.firstError) return { ok: false, error: this.firstError };
    if (this.inEnvelope || this.prefixUsed > 0) {
      return {
        ok: false,
        error: new ConnectError('protocol error: incomplete envelope', Code.InvalidArgument),
      };
    }
    if (!this.found) {
      return {
        ok: false,
        error: new ConnectError(
          'protocol error: missing input message for unary method',
          Code.Unimplemented,
        ),
      };
    }
    return { ok: true, message: this.message };
  }

  private startEnvelope(flags: number, length: number): void {
    this.flags = flags;
    if (length > this.readMaxBytes) {
      this.decided = tooLarge(this.readMaxBytes, length);
      this.release();
      return;
    }
    this.inEnvelope = true;
    this.remaining = length;
    // Kept only while it can still become the answer: the first message, or a second one whose
    // parse failure the router reports ahead of "extra message".
    this.keep = !this.firstError && !this.skipped();
  }

  private skipped(): boolean {
    const skip = this.skipFlag;
    return skip !== undefined && (this.flags & skip) === skip && (this.flags & COMPRESSED) === 0;
  }

  private endEnvelope(data: Buffer): void {
    this.inEnvelope = false;
    this.prefixUsed = 0;
    if (this.parts.length > 0) this.parts = [];
    this.partsLength = 0;
    if (this.flags & COMPRESSED) {
      this.fail(
        new ConnectError(
          'received compressed envelope, but do not know how to decompress',
          Code.Internal,
        ),
      );
      this.messages++;
    } else if (!this.skipped()) {
      this.messages++;
      if (!this.firstError) this.accept(data);
    }
    // A second message fails a unary call whatever follows.
    if (this.messages >= 2) this.decided = this.firstError;
  }

  private accept(data: Buffer): void {
    let message: unknown;
    try {
      message = this.decode(data);
    } catch (e) {
      this.fail(parseFailure(e));
      return;
    }
    if (this.found) {
      this.fail(
        new ConnectError(
          'protocol error: received extra input message for unary method',
          Code.Unimplemented,
        ),
      );
      return;
    }
    this.found = true;
    this.message = message;
    this.messageBytes = data.length;
  }

  private fail(error: ConnectError): void {
    this.firstError ??= error;
    this.release();
  }

  private release(): void {
    this.message = undefined;
    this.messageBytes = 0;
    if (this.parts.length > 0) this.parts = [];
    this.partsLength = 0;
  }
}
