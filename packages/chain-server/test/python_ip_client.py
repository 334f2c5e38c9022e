"""A foreign gRPC implementation as the client of the mystira.chain.ip.v1 services: Debian's
python3-grpcio with stubs that Debian's protoc generated (--python_out) at test time. Calls every
method of CollectionService, LicensingService and IpAssetService once, then a request that breaks
rules, and prints one JSON line of findings. The mystira.chain.v1 stubs are imported too: the two
packages load side by side in one descriptor pool."""
import json
import sys

import grpc

from google.rpc import error_details_pb2, status_pb2  # generated from our protos
from mystira.chain.ip.v1 import collection_service_pb2 as col
from mystira.chain.ip.v1 import common_pb2
from mystira.chain.ip.v1 import ip_asset_service_pb2 as ipa
from mystira.chain.ip.v1 import license_terms_pb2 as pil
from mystira.chain.ip.v1 import licensing_service_pb2 as lic
from mystira.chain.v1 import chain_service_pb2  # noqa: F401  (loads next to the ip package)

target = sys.argv[1]
run = sys.argv[2]  # makes content ids and keys unique per run
channel = grpc.insecure_channel(target)
out = {}
WIP = "0x1514000000000000000000000000000000000000"


def unary(service, name, req_cls, res_cls):
    return channel.unary_unary(
        "/mystira.chain.ip.v1.%s/%s" % (service, name),
        request_serializer=req_cls.SerializeToString,
        response_deserializer=res_cls.FromString,
    )


def status(value):
    return common_pb2.OperationStatus.Name(value)


def shares(first_bps):
    return [
        ipa.RoyaltyShare(wallet_address="0x" + "a" * 40, role=ipa.CONTRIBUTOR_ROLE_AUTHOR, share_basis_points=first_bps),
        ipa.RoyaltyShare(wallet_address="0x" + "b" * 40, role=ipa.CONTRIBUTOR_ROLE_ARTIST, share_basis_points=4000, display_name="B"),
    ]


# CollectionService
created = unary("CollectionService", "CreateCollection", col.CreateCollectionRequest, col.CreateCollectionResponse)(
    col.CreateCollectionRequest(name="From Python", symbol="PY", idempotency_key="py-col-" + run)
)
out["collection_status"] = status(created.status)
out["collection_address"] = created.collection_address
read = unary("CollectionService", "GetCollection", col.GetCollectionRequest, col.GetCollectionResponse)(
    col.GetCollectionRequest(collection_address=created.collection_address)
)
out["collection_name"] = read.collection.name
out["collection_has_max_supply"] = read.collection.max_supply > 0

# LicensingService: a preset, read back
terms = unary("LicensingService", "RegisterLicenseTerms", lic.RegisterLicenseTermsRequest, lic.RegisterLicenseTermsResponse)(
    lic.RegisterLicenseTermsRequest(
        commercial_remix=pil.CommercialRemixPreset(minting_fee_wei="1", currency_token=WIP, commercial_rev_share_micro_percent=5000000),
        idempotency_key="py-terms-" + run,
    )
)
out["terms_status"] = status(terms.status)
out["terms_policy"] = pil.RoyaltyPolicy.Name(terms.terms.royalty_policy)
got = unary("LicensingService", "GetLicenseTerms", lic.GetLicenseTermsRequest, lic.GetLicenseTermsResponse)(
    lic.GetLicenseTermsRequest(license_terms_id=terms.license_terms_id)
)
out["terms_rev_share"] = got.terms.commercial_rev_share_micro_percent
out["terms_derivatives_reciprocal"] = got.terms.derivatives_reciprocal

# IpAssetService: registration with JSON metadata (kept byte for byte)
document = '{"title": "Ünïcode story", "n": 1}'
content_id = "py-story-" + run
registered = unary("IpAssetService", "MintAndRegisterIpAsset", ipa.MintAndRegisterIpAssetRequest, ipa.MintAndRegisterIpAssetResponse)(
    ipa.MintAndRegisterIpAssetRequest(
        content_id=content_id,
        collection_address=created.collection_address,
        ip_metadata=ipa.MetadataInput(json=document),
        royalty_shares=shares(6000),
        idempotency_key="py-asset-" + run,
    )
)
out["asset_status"] = status(registered.status)
out["asset_json_kept"] = registered.ip_metadata.json == document
out["asset_hash"] = registered.ip_metadata.hash
asset = registered.ip_asset_id

# LicensingService: attach, mint licenses
attached = unary("LicensingService", "AttachLicenseTerms", lic.AttachLicenseTermsRequest, lic.AttachLicenseTermsResponse)(
    lic.AttachLicenseTermsRequest(ip_asset_id=asset, license_terms_id=terms.license_terms_id, idempotency_key="py-attach-" + run)
)
out["attach_status"] = status(attached.status)
minted = unary("LicensingService", "MintLicenseTokens", lic.MintLicenseTokensRequest, lic.MintLicenseTokensResponse)(
    lic.MintLicenseTokensRequest(
        licensor_ip_asset_id=asset,
        license_terms_id=terms.license_terms_id,
        amount=2,
        receiver_address="0x" + "c" * 40,
        max_minting_fee_wei="2",
        idempotency_key="py-mint-" + run,
    )
)
out["license_tokens"] = len(minted.license_token_ids)
out["minting_fee_paid"] = minted.minting_fee_paid_wei

# IpAssetService: read it back by content id
read_asset = unary("IpAssetService", "GetIpAsset", ipa.GetIpAssetRequest, ipa.GetIpAssetResponse)(
    ipa.GetIpAssetRequest(content_id=content_id)
).ip_asset
out["read_asset_id_matches"] = read_asset.ip_asset_id == asset
out["read_terms"] = [t.license_terms_id for t in read_asset.license_terms] == [terms.license_terms_id]
out["read_shares"] = [s.share_basis_points for s in read_asset.royalty_shares]

# a validation error, with its BadRequest detail from grpc-status-details-bin
try:
    unary("IpAssetService", "MintAndRegisterIpAsset", ipa.MintAndRegisterIpAssetRequest, ipa.MintAndRegisterIpAssetResponse)(
        ipa.MintAndRegisterIpAssetRequest(
            content_id="py-bad-" + run,
            ip_metadata=ipa.MetadataInput(reference=ipa.MetadataReference(uri="ipfs://x", hash="0x1234")),
            royalty_shares=shares(5000),
            parents=[pil.DerivativeLink(ip_asset_id=asset, license_terms_id="0")],
            idempotency_key="py-bad-" + run,
        )
    )
    out["error_code"] = "OK"
except grpc.RpcError as e:
    out["error_code"] = e.code().name
    details = dict(e.trailing_metadata() or ()).get("grpc-status-details-bin")
    rpc_status = status_pb2.Status.FromString(details)
    bad = error_details_pb2.BadRequest()
    rpc_status.details[0].Unpack(bad)
    out["violations"] = [[v.field, v.reason] for v in bad.field_violations]

print(json.dumps(out))
