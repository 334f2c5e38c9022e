/**
 * @mystira/chain-protos: the mystira.chain.v1 contract as TypeScript.
 *
 * Everything under ./gen is produced by `npm run generate` (Buf + protoc-gen-es v2) from
 * protos/mystira/chain/v1 and is never edited by hand. This file only gives it one stable
 * import path and adds the few helpers every user of the contract needs.
 *
 * @packageDocumentation
 */
import { createRegistry, type DescFile, type Registry } from '@bufbuild/protobuf';
import type { GenFile } from '@bufbuild/protobuf/codegenv2';
import { file_mystira_chain_v1_chain_service } from './gen/mystira/chain/v1/chain_service_pb.js';
import { file_mystira_chain_v1_common } from './gen/mystira/chain/v1/common_pb.js';
import { file_mystira_chain_v1_ip_assets } from './gen/mystira/chain/v1/ip_assets_pb.js';
import { file_mystira_chain_v1_royalties } from './gen/mystira/chain/v1/royalties_pb.js';

export * from './gen/mystira/chain/v1/chain_service_pb.js';
export * from './gen/mystira/chain/v1/common_pb.js';
export * from './gen/mystira/chain/v1/ip_assets_pb.js';
export * from './gen/mystira/chain/v1/royalties_pb.js';

/** The proto package of the contract. */
export const CHAIN_PROTO_PACKAGE = 'mystira.chain.v1';

/** The descriptors of every file of the contract, e.g. for server reflection. */
export const chainFiles: readonly GenFile[] = [
  file_mystira_chain_v1_common,
  file_mystira_chain_v1_ip_assets,
  file_mystira_chain_v1_royalties,
  file_mystira_chain_v1_chain_service,
];

/**
 * A registry of every message, enum and service of the contract and of the well-known types
 * it imports (Timestamp, Empty). Pass it as `registry` to `toJson`/`fromJson` when a message holds an `Any`,
 * or to a reflection service.
 */
export function createChainRegistry(): Registry {
  const files = new Set<DescFile>();
  const visit = (file: DescFile) => {
    if (files.has(file)) return;
    files.add(file);
    file.dependencies.forEach(visit);
  };
  chainFiles.forEach(visit);
  return createRegistry(...files);
}
