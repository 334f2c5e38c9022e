/**
 * @mystira/chain-protos/google-rpc: the google.rpc messages of the Chain service's errors.
 * `Status` is what gRPC carries in the grpc-status-details-bin trailer; `BadRequest` (one field
 * violation per invalid field), `ErrorInfo` and `RetryInfo` are the typed details the Chain server
 * attaches and the Chain client decodes (`ConnectError.findDetails(BadRequestSchema)`).
 *
 * ./gen/google is produced by `npm run generate` (Buf + protoc-gen-es v2) from proto/google/rpc,
 * written from the published field facts of those messages, so the bytes match every other gRPC
 * implementation's. One copy for the server and the client; an entry point of its own, so the
 * main entry stays the contract.
 *
 * @packageDocumentation
 */
export * from './gen/google/rpc/error_details_pb.js';
export * from './gen/google/rpc/status_pb.js';
