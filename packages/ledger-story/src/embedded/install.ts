import { storyContracts } from '../gen/story-contracts.js';
import { STORY_ADDRESSES, type StoryContractName } from '../story/addresses.js';
import type { Eip1193Provider } from './provider.js';

// Which compiled double stands in for which Story contract. Collections, IP accounts and royalty
// vaults are not listed: the doubles deploy them at run time, as Story's contracts do.
const DOUBLES: Record<StoryContractName, keyof typeof storyContracts> = {
  ipAssetRegistry: 'IPAssetRegistry',
  coreMetadataModule: 'CoreMetadataModule',
  registrationWorkflows: 'RegistrationWorkflows',
  royaltyModule: 'RoyaltyModule',
  piLicenseTemplate: 'PILicenseTemplate',
  licenseRegistry: 'LicenseRegistry',
  licensingModule: 'LicensingModule',
  licenseToken: 'LicenseToken',
  royaltyPolicyLap: 'RoyaltyPolicyLAP',
  royaltyPolicyLrp: 'RoyaltyPolicyLRP',
  royaltyWorkflows: 'RoyaltyWorkflows',
  wrappedIp: 'WrappedIP',
  multicall3: 'Multicall3',
};

/**
 * Puts each singleton double's runtime code at its Story address with `hardhat_setCode`. No
 * constructor runs there and storage starts empty, which the doubles are written for (they keep
 * no constructor state and find each other by constant addresses).
 */
export async function installStoryDoubles(provider: Eip1193Provider): Promise<void> {
  for (const [name, contract] of Object.entries(DOUBLES) as [
    StoryContractName,
    keyof typeof storyContracts,
  ][]) {
    await provider.request({
      method: 'hardhat_setCode',
      params: [STORY_ADDRESSES[name], storyContracts[contract].deployedBytecode],
    });
  }
}
