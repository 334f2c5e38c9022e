/**
 * @mystira/chain-protos: the mystira.chain.v1 contract (`ChainService`) and the
 * mystira.chain.ip.v1 package next to it (`CollectionService`, `IpAssetService`,
 * `LicensingService`: SPG collections, IP metadata, PIL license terms, license tokens and
 * derivatives) as TypeScript.
 *
 * Everything under ./gen is produced by `npm run generate` (Buf + protoc-gen-es v2) from
 * protos/mystira/chain/v1 and protos/mystira/chain/ip/v1 and is never edited by hand. This file
 * only gives it one stable import path and adds the few helpers every user of the contract needs.
 * Both packages are exported flat, so no two of their types share a name.
 *
 * @packageDocumentation
 */
import { createRegistry, type DescFile, type Registry } from '@bufbuild/protobuf';
import type { GenFile } from '@bufbuild/protobuf/codegenv2';
import { file_mystira_chain_ip_v1_collection_service } from './gen/mystira/chain/ip/v1/collection_service_pb.js';
import { file_mystira_chain_ip_v1_common } from './gen/mystira/chain/ip/v1/common_pb.js';
import { file_mystira_chain_ip_v1_ip_asset_service } from './gen/mystira/chain/ip/v1/ip_asset_service_pb.js';
import { file_mystira_chain_ip_v1_license_terms } from './gen/mystira/chain/ip/v1/license_terms_pb.js';
import { file_mystira_chain_ip_v1_licensing_service } from './gen/mystira/chain/ip/v1/licensing_service_pb.js';
import { file_mystira_chain_v1_chain_service } from './gen/mystira/chain/v1/chain_service_pb.js';
import { file_mystira_chain_v1_common } from './gen/mystira/chain/v1/common_pb.js';
import { file_mystira_chain_v1_ip_assets } from './gen/mystira/chain/v1/ip_assets_pb.js';
import { file_mystira_chain_v1_royalties } from './gen/mystira/chain/v1/royalties_pb.js';

export * from './gen/mystira/chain/ip/v1/collection_service_pb.js';
export * from './gen/mystira/chain/ip/v1/common_pb.js';
export * from './gen/mystira/chain/ip/v1/ip_asset_service_pb.js';
export * from './gen/mystira/chain/ip/v1/license_terms_pb.js';
export * from './gen/mystira/chain/ip/v1/licensing_service_pb.js';
export * from './gen/mystira/chain/v1/chain_service_pb.js';
export * from './gen/mystira/chain/v1/common_pb.js';
export * from './gen/mystira/chain/v1/ip_assets_pb.js';
export * from './gen/mystira/chain/v1/royalties_pb.js';

/** The proto package of the 12-RPC contract (`ChainService`). */
export const CHAIN_PROTO_PACKAGE = 'mystira.chain.v1';

/** The proto package of the collections, IP assets and licensing services. */
export const CHAIN_IP_PROTO_PACKAGE = 'mystira.chain.ip.v1';

/**
 * The descriptors of every file of the mystira.chain.v1 contract (`ChainService`), e.g. for
 * server reflection.
 */
export const chainFiles: readonly GenFile[] = [
  file_mystira_chain_v1_common,
  file_mystira_chain_v1_ip_assets,
  file_mystira_chain_v1_royalties,
  file_mystira_chain_v1_chain_service,
];

/**
 * The descriptors of every file of the mystira.chain.ip.v1 package (`CollectionService`,
 * `IpAssetService`, `LicensingService`). The package imports nothing of mystira.chain.v1, so
 * it can be loaded next to any other definition of that package.
 */
export const chainIpFiles: readonly GenFile[] = [
  file_mystira_chain_ip_v1_common,
  file_mystira_chain_ip_v1_license_terms,
  file_mystira_chain_ip_v1_collection_service,
  file_mystira_chain_ip_v1_ip_asset_service,
  file_mystira_chain_ip_v1_licensing_service,
];

/**
 * A registry of every message, enum and service of both packages (mystira.chain.v1 and
 * mystira.chain.ip.v1) and of the well-known types they import (Timestamp, Empty). Pass it as
 * `registry` to `toJson`/`fromJson` when a message holds an `Any`, or to a reflection service.
 */
export function createChainRegistry(): Registry {
  const files = new Set<DescFile>();
  const visit = (file: DescFile) => {
    if (files.has(file)) return;
    files.add(file);
    file.dependencies.forEach(visit);
  };
  chainFiles.forEach(visit);
  chainIpFiles.forEach(visit);
  return createRegistry(...files);
}
