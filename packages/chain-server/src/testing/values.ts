/** What the cases submit: fresh addresses and hashes, contributor roles, registration inputs. */
import { randomBytes } from 'node:crypto';
import { ContributorType } from '@mystira/chain-protos';
import type { RegisterAssetInput } from '@mystira/chain-server';

/** The address of the native currency, the default (and only) token of a harness. */
export const NATIVE = '0x0000000000000000000000000000000000000000';
/** Story's wrapped IP, the currency of license terms on Story (and the kit's default one). */
export const WIP = '0x1514000000000000000000000000000000000000';

export const randomAddress = (): string => `0x${randomBytes(20).toString('hex')}`;
export const randomHash = (): string => `0x${randomBytes(32).toString('hex')}`;

const TYPES = [
  ContributorType.AUTHOR,
  ContributorType.ARTIST,
  ContributorType.PUBLISHER,
  ContributorType.CURATOR,
  ContributorType.OTHER,
];

/** The role of the `i`-th contributor of a generated split (every role in turn). */
export const typeOf = (i: number): ContributorType => TYPES[i % TYPES.length] as ContributorType;

/** A registration of `contentId` with `wallet` as its only contributor (a new object each call). */
export const soleAuthor = (contentId: string, wallet: string): RegisterAssetInput => ({
  contentId,
  title: 't',
  contributors: [{ wallet, type: ContributorType.AUTHOR, shareBps: 10000 }],
});
