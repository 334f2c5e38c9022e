/**
 * The lean path's answers, one writer per protocol: gRPC on a raw HTTP/2 stream, gRPC through
 * node's compatibility objects, gRPC-Web and Connect (HTTP/1.1 or HTTP/2).
 *
 * Safe by construction: every write goes through Reply's `write`, which does nothing once
 * the client is gone or the call was answered, and turns a throw from node (a stream closed
 * between the check and the write, a header value node refuses) into destroying that one stream.
 * No write can throw out of a request handler, an event listener or a promise callback.
 *
 * An answer given before the client finished its body (a refusal, a size limit, a body deadline)
 * also closes the stream, or the HTTP/1.1 connection: nobody reads the rest of that body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as http2 from 'node:http2';
import type { Readable } from 'node:stream';
import type { DescMessage, JsonReadOptions, JsonWriteOptions } from '@bufbuild/protobuf';
import { toJson } from '@bufbuild/protobuf';
import type { ConnectError } from '@connectrpc/connect';
import { codeToHttpStatus, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import { setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { toConnectError } from '../connect-errors.js';
import { isBodyTimeout } from './body.js';
import { encodeInto } from './encode.js';
import { ENVELOPE_PREFIX_BYTES, tooLargeToWrite, trailerFrame, writePrefix } from './envelope.js';

/** A request or response of node:http or of node:http2's compatibility API. */
export type AnyRequest = IncomingMessage | http2.Http2ServerRequest;
export type AnyResponse = ServerResponse | http2.Http2ServerResponse;

export interface ReplyOptions {
  writeMaxBytes: number;
  jsonOptions: Partial<JsonReadOptions & JsonWriteOptions>;
}

/** One unary call's answer. */
export abstract class Reply {
  private answered = false;

  constructor(
    /** The request body: when it has not ended, answering also closes the stream. */
    protected readonly request: Readable,
    protected readonly options: ReplyOptions,
  ) {}

  /** The client is gone, or the call was answered: nothing more will be written. */
  get done(): boolean {
    return this.answered || this.closed();
  }

  /** Answers with the handler's output (or a failure, if it cannot be sent). */
  ok(schema: DescMessage, output: unknown): void {
    if (this.done) return;
    let body: Buffer;
    try {
      body = this.encode(schema, output);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.write(body, undefined);
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.write(undefined, toConnectError(error));
  }

  /**
   * Sends the answer (`body`, or `error` when set), never throwing; the first write answers the
   * call. Arguments, not a callback, so an answer allocates no closure.
   */
  private write(body: Buffer | undefined, error: ConnectError | undefined): void {
    if (this.done) return;
    this.answered = true;
    try {
      if (error) this.sendError(error);
      else this.sendOk(body as Buffer);
      if (!this.request.readableEnded) this.closeEarly();
    } catch {
      this.destroy();
    }
  }

  /**
   * The message in a buffer with `headroom` bytes before it and `suffix` after it;
   * RESOURCE_EXHAUSTED past writeMaxBytes.
   */
  protected encodeBinary(
    schema: DescMessage,
    output: unknown,
    headroom: number,
    suffix?: Buffer,
  ): Buffer {
    const buffer = encodeInto(schema, output, headroom, suffix);
    const length = buffer.length - headroom - (suffix?.length ?? 0);
    if (length > this.options.writeMaxBytes)
      throw tooLargeToWrite(this.options.writeMaxBytes, length);
    return buffer;
  }

  /** The message in an envelope with flags 0, followed by `suffix` (if any). */
  protected encodeEnvelope(schema: DescMessage, output: unknown, suffix?: Buffer): Buffer {
    const frame = this.encodeBinary(schema, output, ENVELOPE_PREFIX_BYTES, suffix);
    writePrefix(frame, 0, frame.length - ENVELOPE_PREFIX_BYTES - (suffix?.length ?? 0));
    return frame;
  }

  protected abstract closed(): boolean;
  protected abstract encode(schema: DescMessage, output: unknown): Buffer;
  protected abstract sendOk(body: Buffer): void;
  protected abstract sendError(error: ConnectError): void;
  /** Ends the exchange although the client's body has not ended. */
  protected abstract closeEarly(): void;
  protected abstract destroy(): void;
}

/**
 * Ends a stream whose client is still sending a body nobody reads: RST_STREAM NO_ERROR, as gRPC
 * allows, once the answer is out. Node sends trailers on 'wantTrailers' (ours, or the compat
 * layer's, registered first); resetting from inside that event would cut them off, so the reset
 * waits a turn of the event loop.
 */
export function closeWhenAnswered(stream: http2.Http2Stream): void {
  stream.once('wantTrailers', () =>
    setImmediate(() => {
      try {
        if (!stream.closed && !stream.readableEnded) stream.close(http2.constants.NGHTTP2_NO_ERROR);
      } catch {
        stream.destroy();
      }
    }),
  );
}

function trailerOf(error: ConnectError): Record<string, string> {
  return Object.fromEntries(setTrailerStatus(new Headers(), error));
}

/**
 * What every gRPC answer on a raw stream shares. Node copies the header and trailer objects it is
 * given, so one of each serves every call; the listeners of a successful call are plain functions
 * called with the stream as `this`, so it adds no closure for them.
 */
const GRPC_RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc' };
const GRPC_OK_TRAILER = { 'grpc-status': '0' };
const WAIT_FOR_TRAILERS = { waitForTrailers: true };

function ignoreStreamError(): void {
  // A reset by the client or a session destroyed at shutdown surfaces as 'error' on the stream;
  // the call is simply over.
}

/** 'wantTrailers' comes after the data is flushed, possibly after the client reset the stream. */
function sendOkTrailers(this: http2.ServerHttp2Stream): void {
  sendTrailersOn(this, GRPC_OK_TRAILER);
}

function sendTrailersOn(stream: http2.ServerHttp2Stream, trailer: Record<string, string>): void {
  try {
    if (!stream.closed) stream.sendTrailers(trailer);
  } catch {
    stream.destroy();
  }
}

/** gRPC on a raw HTTP/2 stream (no compatibility objects). */
export class GrpcStreamReply extends Reply {
  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    options: ReplyOptions,
  ) {
    super(stream, options);
    stream.on('error', ignoreStreamError);
  }

  protected closed(): boolean {
    return this.stream.destroyed || this.stream.closed || this.stream.headersSent;
  }

  protected encode(schema: DescMessage, output: unknown): Buffer {
    return this.encodeEnvelope(schema, output);
  }

  /** Headers, the message, then the trailers once the data is flushed. */
  protected sendOk(frame: Buffer): void {
    const stream = this.stream;
    stream.respond(GRPC_RESPONSE_HEADERS, WAIT_FOR_TRAILERS);
    stream.on('wantTrailers', sendOkTrailers); // it comes once per stream: no once() wrapper
    stream.end(frame);
  }

  protected sendError(error: ConnectError): void {
    const stream = this.stream;
    const trailer = trailerOf(error);
    stream.respond(GRPC_RESPONSE_HEADERS, WAIT_FOR_TRAILERS);
    stream.once('wantTrailers', () => sendTrailersOn(stream, trailer));
    stream.end();
  }

  protected closeEarly(): void {
    closeWhenAnswered(this.stream);
  }

  protected destroy(): void {
    this.stream.destroy();
  }
}

/** Writers over a response object (node:http, or node:http2's compatibility API). */
abstract class ResponseReply extends Reply {
  constructor(
    request: Readable,
    protected readonly res: AnyResponse,
    options: ReplyOptions,
  ) {
    super(request, options);
  }

  protected closed(): boolean {
    const res = this.res;
    if (res.destroyed || res.headersSent || res.writableEnded) return true;
    return 'stream' in res ? res.stream.closed : false;
  }

  /** HTTP/1.1: `connection: close` must be set before the head is written. */
  protected head(status: number, headers: Record<string, string>): void {
    const res = this.res as ServerResponse;
    if (!this.request.readableEnded && !('stream' in this.res)) headers.connection = 'close';
    res.writeHead(status, headers);
  }

  protected closeEarly(): void {
    // HTTP/1.1 closes after the response (`connection: close`); HTTP/2 resets the stream.
    if ('stream' in this.res) closeWhenAnswered(this.res.stream);
  }

  protected destroy(): void {
    this.res.destroy();
  }
}

/** gRPC through node:http2's compatibility objects (a server that mounts our request listener). */
export class GrpcCompatReply extends ResponseReply {
  protected encode(schema: DescMessage, output: unknown): Buffer {
    return this.encodeEnvelope(schema, output);
  }

  protected sendOk(frame: Buffer): void {
    const res = this.res as http2.Http2ServerResponse;
    res.writeHead(200, { 'content-type': 'application/grpc' });
    res.addTrailers({ 'grpc-status': '0' });
    res.end(frame);
  }

  protected sendError(error: ConnectError): void {
    const res = this.res as http2.Http2ServerResponse;
    res.writeHead(200, { 'content-type': 'application/grpc' });
    res.addTrailers(trailerOf(error));
    res.end();
  }
}

const GRPC_WEB_OK = trailerFrame(new Headers({ 'grpc-status': '0' }));

/** gRPC-Web (binary): the status travels as the body's last envelope. */
export class GrpcWebReply extends ResponseReply {
  protected encode(schema: DescMessage, output: unknown): Buffer {
    return this.encodeEnvelope(schema, output, GRPC_WEB_OK);
  }

  protected sendOk(frames: Buffer): void {
    this.head(200, {
      'content-type': 'application/grpc-web+proto',
      'content-length': String(frames.length),
    });
    this.res.end(frames);
  }

  protected sendError(error: ConnectError): void {
    this.sendOk(trailerFrame(setTrailerStatus(new Headers(), error)));
  }
}

/** Connect unary, JSON or binary. */
export class ConnectReply extends ResponseReply {
  constructor(
    request: Readable,
    res: AnyResponse,
    options: ReplyOptions,
    private readonly binary: boolean,
  ) {
    super(request, res, options);
  }

  protected encode(schema: DescMessage, output: unknown): Buffer {
    if (this.binary) return this.encodeBinary(schema, output, 0);
    const out = Buffer.from(
      JSON.stringify(toJson(schema, output as never, this.options.jsonOptions)),
    );
    if (out.length > this.options.writeMaxBytes)
      throw tooLargeToWrite(this.options.writeMaxBytes, out.length);
    return out;
  }

  protected sendOk(body: Buffer): void {
    this.head(200, {
      'content-type': this.binary ? 'application/proto' : 'application/json',
      'content-length': String(body.length),
    });
    this.res.end(body);
  }

  protected sendError(error: ConnectError): void {
    const body = errorToJsonBytes(error, this.options.jsonOptions);
    const header: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of error.metadata) header[k] = v;
    this.head(isBodyTimeout(error) ? 408 : codeToHttpStatus(error.code), header);
    this.res.end(body);
  }
}
