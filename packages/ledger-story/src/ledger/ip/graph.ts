/**
 * An IP's place in the license graph, read from Story's LicenseRegistry on every call (the
 * chain is the only record of links other signers make): its attached terms, its parents with
 * the terms of each link, and its children (the first {@link MAX_CHILDREN}) with theirs.
 */
import type { DerivativeLink, LicenseTermsRecord } from '@mystira/chain-server';
import type { Address, PublicClient } from 'viem';
import { STORY_ADDRESSES } from '../../story/addresses.js';
import { lower } from '../calls.js';
import { licenseRegistryAbi } from './abis.js';
import type { Licensing } from './licensing.js';

/** The most children a read lists (the port's limit); `childCount` counts them all. */
export const MAX_CHILDREN = 100;

/** What the registry says of one IP. */
export interface GraphView {
  licenseTerms: LicenseTermsRecord[];
  parents: DerivativeLink[];
  children: DerivativeLink[];
  childCount: number;
}

/** Calls one of the LicenseRegistry's views. */
function registryRead<T>(client: PublicClient, functionName: string, args: readonly unknown[]) {
  return client.readContract({
    address: STORY_ADDRESSES.licenseRegistry,
    abi: licenseRegistryAbi,
    functionName,
    args,
  } as never) as Promise<T>;
}

/** `ipId`'s parents, each with the id of the terms it was linked under. */
export async function parentLinks(client: PublicClient, ipId: Address): Promise<DerivativeLink[]> {
  const count = await registryRead<bigint>(client, 'getParentIpCount', [ipId]);
  return Promise.all(
    Array.from({ length: Number(count) }, async (_, i) => {
      const parent = await registryRead<Address>(client, 'getParentIp', [ipId, BigInt(i)]);
      const [, licenseTermsId] = await registryRead<readonly [Address, bigint]>(
        client,
        'getParentLicenseTerms',
        [ipId, parent],
      );
      return { ipAssetId: lower(parent), licenseTermsId };
    }),
  );
}

/** Reads `ipId`'s terms, parents and children. */
export async function readGraph(
  client: PublicClient,
  licensing: Licensing,
  ipId: Address,
): Promise<GraphView> {
  const registry = <T>(functionName: string, args: readonly unknown[]) =>
    registryRead<T>(client, functionName, args);
  const range = (n: bigint, max = Number.MAX_SAFE_INTEGER) =>
    Array.from({ length: Math.min(Number(n), max) }, (_, i) => BigInt(i));
  const linkTerms = async (child: Address, parent: Address) =>
    (await registry<readonly [Address, bigint]>('getParentLicenseTerms', [child, parent]))[1];

  const [attachedCount, parents, childCount] = await Promise.all([
    registry<bigint>('getAttachedLicenseTermsCount', [ipId]),
    parentLinks(client, ipId),
    registry<bigint>('getDerivativeIpCount', [ipId]),
  ]);
  const licenseTerms = await Promise.all(
    range(attachedCount).map(async (i) => {
      const [, id] = await registry<readonly [Address, bigint]>('getAttachedLicenseTerms', [
        ipId,
        i,
      ]);
      const record = await licensing.get(id);
      if (record === undefined)
        throw new Error(`license terms ${id} attached to ${ipId} are unknown`);
      return record;
    }),
  );
  const children = await Promise.all(
    range(childCount, MAX_CHILDREN).map(async (i) => {
      const child = await registry<Address>('getDerivativeIp', [ipId, i]);
      return { ipAssetId: lower(child), licenseTermsId: await linkTerms(child, ipId) };
    }),
  );
  return { licenseTerms, parents, children, childCount: Number(childCount) };
}
