"""A foreign mystira.chain.v1 server on Python grpcio (the Python Chain service's stack).

Stubs come from `protoc --python_out` at test time (the directory is argv[1]); the service is
registered with generic handlers, so no grpc_tools plugin is needed. Prints the bound port on
stdout, then serves until killed.
"""
import sys
import threading
import time
from concurrent import futures

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from google.protobuf import any_pb2, empty_pb2, timestamp_pb2  # noqa: E402
from google.rpc import error_details_pb2  # noqa: E402  (generated from the client's own proto/)
from mystira.chain.v1 import chain_service_pb2, ip_assets_pb2, royalties_pb2  # noqa: E402

SERVICE = "mystira.chain.v1.ChainService"
attempts = {}
lock = threading.Lock()


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def length_delimited(field, data):
    return varint(field << 3 | 2) + varint(len(data)) + data


def status_details(code, message, details):
    """google.rpc.Status, encoded by hand (googleapis-common-protos is not a Debian package here)."""
    body = varint(1 << 3) + varint(code.value[0]) + length_delimited(2, message.encode())
    for d in details:
        packed = any_pb2.Any()
        packed.Pack(d)
        body += length_delimited(3, packed.SerializeToString())
    return body


def now():
    ts = timestamp_pb2.Timestamp()
    ts.FromJsonString("2026-01-02T03:04:05.678Z")
    return ts


def register(req, context):
    with lock:
        n = attempts.get(req.idempotency_key, 0) + 1
        attempts[req.idempotency_key] = n
    if req.content_id == "flaky" and n <= 2:
        context.abort(grpc.StatusCode.UNAVAILABLE, "warming up")
    return ip_assets_pb2.RegisterIpAssetResponse(
        content_id=req.content_id,
        ip_asset_id="py-" + req.idempotency_key,
        nft_token_id=str(n),
        status=ip_assets_pb2.IP_ASSET_STATUS_REGISTERED,
        registered_at=now(),
    )


def is_registered(req, context):
    return ip_assets_pb2.IsRegisteredResponse(content_id=req.content_id, is_registered=req.content_id == "known")


def get_status(req, context):
    # Echo the deadline the server received, so the test sees it crossed the language boundary.
    remaining = context.time_remaining()
    return ip_assets_pb2.IpAssetStatusResponse(
        content_id="%.3f" % (remaining if remaining is not None else -1),
        status=ip_assets_pb2.IP_ASSET_STATUS_PROCESSING,
    )


def pay(req, context):
    if req.amount_wei == "0":
        bad = error_details_pb2.BadRequest(
            field_violations=[error_details_pb2.BadRequest.FieldViolation(field="amount_wei", description="must be positive")]
        )
        context.set_trailing_metadata(
            (("grpc-status-details-bin", status_details(grpc.StatusCode.INVALID_ARGUMENT, "bad amount", [bad])),)
        )
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad amount")
    return royalties_pb2.PayRoyaltiesResponse(
        ip_asset_id=req.ip_asset_id,
        amount_wei=req.amount_wei,
        currency_token=req.currency_token,
        status=royalties_pb2.PAYMENT_STATUS_CONFIRMED,
        paid_at=now(),
    )


def watch(req, context):
    for h in req.transaction_hashes:
        yield ip_assets_pb2.TransactionUpdate(transaction_hash=h, status=ip_assets_pb2.TRANSACTION_STATUS_PENDING, timestamp=now())
    for conf in (1, 2, 3):
        time.sleep(0.01)
        for h in req.transaction_hashes:
            yield ip_assets_pb2.TransactionUpdate(
                transaction_hash=h,
                status=ip_assets_pb2.TRANSACTION_STATUS_CONFIRMED,
                confirmations=conf,
                block_number=1000 + conf,
                timestamp=now(),
            )


def service_info(req, context):
    md = dict(context.invocation_metadata())
    return chain_service_pb2.ServiceInfoResponse(
        service_name="python-grpcio",
        version=grpc.__version__,
        network="devnet",
        # The trace context the client sent, so the test can check a Python server would continue it.
        rpc_endpoint=md.get("traceparent", ""),
        supported_operations=["RegisterIpAsset", "WatchTransactions"],
    )


def health(req, context):
    return chain_service_pb2.HealthCheckResponse(
        status=chain_service_pb2.HealthCheckResponse.SERVING, version=grpc.__version__, timestamp=now()
    )


def unary(fn, req_type, resp_type):
    return grpc.unary_unary_rpc_method_handler(
        fn, request_deserializer=req_type.FromString, response_serializer=resp_type.SerializeToString
    )


handlers = {
    "RegisterIpAsset": unary(register, ip_assets_pb2.RegisterIpAssetRequest, ip_assets_pb2.RegisterIpAssetResponse),
    "IsRegistered": unary(is_registered, ip_assets_pb2.IsRegisteredRequest, ip_assets_pb2.IsRegisteredResponse),
    "GetIpAssetStatus": unary(get_status, ip_assets_pb2.GetIpAssetStatusRequest, ip_assets_pb2.IpAssetStatusResponse),
    "PayRoyalties": unary(pay, royalties_pb2.PayRoyaltiesRequest, royalties_pb2.PayRoyaltiesResponse),
    "GetServiceInfo": unary(service_info, empty_pb2.Empty, chain_service_pb2.ServiceInfoResponse),
    "HealthCheck": unary(health, empty_pb2.Empty, chain_service_pb2.HealthCheckResponse),
    "WatchTransactions": grpc.unary_stream_rpc_method_handler(
        watch,
        request_deserializer=ip_assets_pb2.WatchTransactionsRequest.FromString,
        response_serializer=ip_assets_pb2.TransactionUpdate.SerializeToString,
    ),
}

server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(port, flush=True)
server.wait_for_termination()
