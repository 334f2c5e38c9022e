/** The unmodified Story SDK on the embedded chain, as the SDK tests drive it. */
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { StoryClient } from '@story-protocol/core-sdk';
import { type Address, custom, type Hex, zeroAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** A Story SDK client for Aeneid, signing with `privateKey`, over the embedded chain. */
export function sdkClient(chain: EmbeddedChain, privateKey: Hex): StoryClient {
  return StoryClient.newClient({
    transport: custom(chain.provider),
    account: privateKeyToAccount(privateKey),
    chainId: 'aeneid',
  });
}

/** Creates an SPG NFT collection anyone may mint in, for free, as `client`; its address. */
export async function openCollection(client: StoryClient): Promise<Address> {
  const created = await client.nftClient.createNFTCollection({
    name: 'Mystira Stories',
    symbol: 'MYST',
    isPublicMinting: true,
    mintOpen: true,
    mintFeeRecipient: zeroAddress,
    contractURI: '',
  });
  return created.spgNftContract!;
}
