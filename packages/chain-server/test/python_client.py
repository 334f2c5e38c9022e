"""A foreign gRPC implementation as the client: Debian's python3-grpcio with stubs that
Debian's protoc generated (--python_out) at test time. Prints one JSON line of findings."""
import json
import sys

import grpc

sys.path.insert(0, sys.argv[2])
from google.protobuf import empty_pb2  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402  (generated from our protos)
from grpc.health.v1 import health_pb2  # noqa: E402
from grpc.reflection.v1 import reflection_pb2  # noqa: E402
from grpc.reflection.v1alpha import reflection_pb2 as reflection_v1alpha_pb2  # noqa: E402
from mystira.chain.v1 import chain_service_pb2, ip_assets_pb2  # noqa: E402

target = sys.argv[1]
channel = grpc.insecure_channel(target)
svc = "/mystira.chain.v1.ChainService/"
out = {}


def unary(name, req_cls, res_cls):
    return channel.unary_unary(svc + name, request_serializer=req_cls.SerializeToString, response_deserializer=res_cls.FromString)


def registration(content_id, key):
    return ip_assets_pb2.RegisterIpAssetRequest(
        content_id=content_id,
        content_title="From Python",
        contributors=[
            ip_assets_pb2.Contributor(wallet_address="0x" + "a" * 40, contributor_type=ip_assets_pb2.CONTRIBUTOR_TYPE_AUTHOR, share_basis_points=6000),
            ip_assets_pb2.Contributor(wallet_address="0x" + "b" * 40, contributor_type=ip_assets_pb2.CONTRIBUTOR_TYPE_ARTIST, share_basis_points=4000),
        ],
        idempotency_key=key,
    )


# unary
reg = unary("RegisterIpAsset", ip_assets_pb2.RegisterIpAssetRequest, ip_assets_pb2.RegisterIpAssetResponse)(registration("py-1", "py-key-1"))
out["register_status"] = ip_assets_pb2.IpAssetStatus.Name(reg.status)
out["tx_hash"] = reg.registration_tx_hash
info = unary("GetServiceInfo", empty_pb2.Empty, chain_service_pb2.ServiceInfoResponse)(empty_pb2.Empty())
out["network"] = info.network

# client streaming
batch = channel.stream_unary(svc + "BatchRegisterIpAssets", request_serializer=ip_assets_pb2.RegisterIpAssetRequest.SerializeToString, response_deserializer=ip_assets_pb2.BatchRegisterResponse.FromString)
res = batch(iter([registration("py-2", "py-key-2"), registration("py-3", "py-key-3")]))
out["batch_successful"] = res.successful

# server streaming: the current state of the registration (the test mines nothing, so read one and cancel)
watch = channel.unary_stream(svc + "WatchTransactions", request_serializer=ip_assets_pb2.WatchTransactionsRequest.SerializeToString, response_deserializer=ip_assets_pb2.TransactionUpdate.FromString)
stream = watch(ip_assets_pb2.WatchTransactionsRequest(transaction_hashes=[reg.registration_tx_hash]))
first = next(stream)
out["watch_first"] = ip_assets_pb2.TransactionStatus.Name(first.status)
stream.cancel()

# a validation error, with its BadRequest detail from grpc-status-details-bin
try:
    unary("RegisterIpAsset", ip_assets_pb2.RegisterIpAssetRequest, ip_assets_pb2.RegisterIpAssetResponse)(registration("", "py-key-4"))
    out["error_code"] = "OK"
except grpc.RpcError as e:
    out["error_code"] = e.code().name
    details = dict(e.trailing_metadata() or ()).get("grpc-status-details-bin")
    status = status_pb2.Status.FromString(details)
    bad = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad)
    out["violations"] = [v.field for v in bad.field_violations]

# grpc.health.v1
check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=health_pb2.HealthCheckRequest.SerializeToString, response_deserializer=health_pb2.HealthCheckResponse.FromString)
out["health"] = health_pb2.HealthCheckResponse.ServingStatus.Name(check(health_pb2.HealthCheckRequest(service="")).status)

# reflection, both versions
for version, mod in (("v1", reflection_pb2), ("v1alpha", reflection_v1alpha_pb2)):
    info_call = channel.stream_stream(
        "/grpc.reflection.%s.ServerReflection/ServerReflectionInfo" % version,
        request_serializer=mod.ServerReflectionRequest.SerializeToString,
        response_deserializer=mod.ServerReflectionResponse.FromString,
    )
    answers = list(info_call(iter([
        mod.ServerReflectionRequest(list_services=""),
        mod.ServerReflectionRequest(file_containing_symbol="mystira.chain.v1.ChainService"),
    ])))
    out["services_" + version] = sorted(s.name for s in answers[0].list_services_response.service)
    from google.protobuf import descriptor_pb2, descriptor_pool
    pool = descriptor_pool.DescriptorPool()
    protos = [descriptor_pb2.FileDescriptorProto.FromString(b) for b in answers[1].file_descriptor_response.file_descriptor_proto]
    pending = list(protos)
    while pending:  # add in dependency order
        for p in list(pending):
            if all(any(q.name == d for q in protos if q not in pending) for d in p.dependency):
                pool.Add(p)
                pending.remove(p)
    out["methods_" + version] = len(pool.FindServiceByName("mystira.chain.v1.ChainService").methods)

print(json.dumps(out))
