/**
 * The gRPC servers and clients our Chain server and client are measured against, built the way
 * their users build them:
 *
 * - grpc-js with @grpc/proto-loader: the .proto files loaded at start-up and (de)serialised by
 *   protobufjs into plain objects. This is what a grpc-js service is in practice, so it is the
 *   primary baseline.
 * - grpc-js with protobuf-es (de)serialisation (the same generated code we use): a second,
 *   labelled row, so a difference can be told apart into transport and codec.
 * - a raw `node:http2` server that frames the gRPC answer by hand around the same handlers: no
 *   framework at all, the ceiling of what Node can do for this call.
 *
 * Every server calls the same ChainHandlers as ours, with a signal that never aborts (none of the
 * baselines propagates cancellation into a handler).
 */
import * as http2 from 'node:http2';
import type * as net from 'node:net';
import { join } from 'node:path';
import { create, type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ChainService } from '@mystira/chain-protos';
import type { ChainHandlers } from '@mystira/chain-server';

const NEVER = new AbortController().signal;
const PROTOS = join(import.meta.dirname, '../../protos');

type Handler = (req: unknown, call: { signal: AbortSignal }) => Promise<unknown>;

/** The unary methods with their schemas and our handler for each. */
function unaryRoutes(handlers: ChainHandlers) {
  return ChainService.methods
    .filter((m) => m.methodKind === 'unary')
    .map((m) => ({
      name: m.name,
      path: `/${ChainService.typeName}/${m.name}`,
      input: m.input as DescMessage,
      output: m.output as DescMessage,
      handler: (handlers as unknown as Record<string, Handler>)[m.localName] as Handler,
    }));
}

/**
 * proto-loader's options as grpc-js's own examples set them, except camelCase field names (our
 * handlers read `contentId`, not `content_id`): int64 as strings, enums as numbers, defaults
 * filled in, oneofs named.
 */
const LOADER_OPTIONS: protoLoader.Options = {
  longs: String,
  enums: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTOS],
};

/** ChainService as @grpc/proto-loader loads it from the .proto files. */
export function loadedChainService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync('mystira/chain/v1/chain_service.proto', LOADER_OPTIONS);
  return definition[ChainService.typeName] as grpc.ServiceDefinition;
}

function grpcStatus(e: unknown): Partial<grpc.StatusObject> {
  const code = (e as { code?: number }).code ?? grpc.status.INTERNAL;
  return { code, details: (e as Error).message };
}

/**
 * Binds a grpc-js server with `definition` whose unary methods call our handlers. `plain`: the
 * definition decodes into plain objects (proto-loader), which our handlers cannot all take (the
 * idempotent writes fingerprint the request with protobuf-es), so they become messages first.
 */
function bindGrpcJs(
  handlers: ChainHandlers,
  definition: grpc.ServiceDefinition,
  plain: boolean,
): Promise<number> {
  const server = new grpc.Server();
  const impl: grpc.UntypedServiceImplementation = {};
  for (const route of unaryRoutes(handlers)) {
    const input = route.input;
    impl[route.name] = (
      call: grpc.ServerUnaryCall<unknown, unknown>,
      cb: grpc.sendUnaryData<unknown>,
    ) => {
      const request = plain ? create(input, call.request as never) : call.request;
      route.handler(request, { signal: NEVER }).then(
        (res) => cb(null, res),
        (e: unknown) => cb(grpcStatus(e)),
      );
    };
  }
  // Only the unary methods are implemented; grpc-js answers UNIMPLEMENTED for the rest.
  server.addService(definition, impl);
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
}

/** A plain grpc-js server, protos through @grpc/proto-loader (protobufjs): the primary baseline. */
export function serveGrpcJsProtoLoader(handlers: ChainHandlers): Promise<number> {
  return bindGrpcJs(handlers, loadedChainService(), true);
}

/** A plain grpc-js server with protobuf-es (de)serialisation, the same codec as ours. */
export function serveGrpcJsProtobufEs(handlers: ChainHandlers): Promise<number> {
  // Built up method by method; grpc-js's ServiceDefinition type is read-only.
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const route of unaryRoutes(handlers)) {
    definition[route.name] = {
      path: route.path,
      requestStream: false,
      responseStream: false,
      requestDeserialize: (b: Buffer) => fromBinary(route.input, b),
      requestSerialize: (x: object) => Buffer.from(toBinary(route.input, x as never)),
      responseDeserialize: (b: Buffer) => fromBinary(route.output, b),
      responseSerialize: (x: object) => Buffer.from(toBinary(route.output, x as never)),
    };
  }
  return bindGrpcJs(handlers, definition, false);
}

const GRPC_HEADERS = { ':status': 200, 'content-type': 'application/grpc' };

/**
 * The ceiling: a `node:http2` 'stream' listener that reads the one request frame, decodes it with
 * protobuf-es, calls the handler and writes the 5-byte frame and `grpc-status: 0` trailers by
 * hand. No deadlines, limits, admission, compression or telemetry: what the lean path must add
 * on top of this is its own cost.
 */
export async function serveRawHttp2(handlers: ChainHandlers): Promise<number> {
  const routes = new Map(unaryRoutes(handlers).map((r) => [r.path, r]));
  const server = http2.createServer();
  // gRPC writes small frames; without TCP_NODELAY, Nagle's algorithm holds them back for ACKs.
  server.on('connection', (socket: net.Socket) => socket.setNoDelay(true));
  server.on('stream', (stream, headers) => {
    const route = routes.get(headers[':path'] as string);
    if (!route) {
      stream.respond({ ...GRPC_HEADERS, 'grpc-status': '12' }, { endStream: true });
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      let request: unknown;
      try {
        request = fromBinary(route.input, body.subarray(5));
      } catch {
        stream.respond({ ...GRPC_HEADERS, 'grpc-status': '13' }, { endStream: true });
        return;
      }
      route.handler(request, { signal: NEVER }).then(
        (out) => {
          const bytes = toBinary(route.output, out as never);
          const frame = Buffer.allocUnsafe(5 + bytes.length);
          frame[0] = 0;
          frame.writeUInt32BE(bytes.length, 1);
          frame.set(bytes, 5);
          stream.respond(GRPC_HEADERS, { waitForTrailers: true });
          stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(frame);
        },
        (e: unknown) =>
          stream.respond(
            {
              ...GRPC_HEADERS,
              'grpc-status': String(grpcStatus(e).code),
              'grpc-message': encodeURIComponent((e as Error).message),
            },
            { endStream: true },
          ),
      );
    });
    stream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** IsRegistered through a grpc-js client whose stub @grpc/proto-loader made. */
export function protoLoaderIsRegistered(
  port: number,
  deadlineMs: number | undefined,
): { call(contentId: string): Promise<unknown>; close(): void } {
  const Client = grpc.makeGenericClientConstructor(loadedChainService(), 'ChainService');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client &
    Record<
      string,
      (
        req: object,
        options: grpc.CallOptions,
        cb: (e: grpc.ServiceError | null, r?: unknown) => void,
      ) => void
    >;
  const isRegistered = client.IsRegistered as NonNullable<(typeof client)['IsRegistered']>;
  return {
    call: (contentId) =>
      new Promise((resolve, reject) =>
        isRegistered.call(
          client,
          { contentId },
          deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
          (e, r) => (e ? reject(e) : resolve(r)),
        ),
      ),
    close: () => client.close(),
  };
}
