/**
 * The HTTP/2 session manager both Node transports work through: the pool
 * (node-transport.ts) implements it and the lean gRPC path (lean-grpc.ts) opens its streams on it.
 * It lives here so that neither of those two files imports the other for it.
 */
import type { GrpcTransportOptions } from '@connectrpc/connect-node';

/**
 * The session-manager shape connect-node's transports accept: `request` opens a stream on a
 * pooled session, `notifyResponseByteRead` tells the session a response is alive (keep-alive
 * pings). connect-node does not export it by name, so it is derived from its transport options.
 */
export type NodeHttp2ClientSessionManager = NonNullable<GrpcTransportOptions['sessionManager']>;
