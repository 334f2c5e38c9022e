// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IIpRoyaltyVaultMin, IRoyaltyModuleMin} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// claimAllRevenue claims an IP's vault revenue for a claimer in one call. Story's workflow first
// pulls each child's share through its royalty policy (transferToVault); no policy double
// exists yet, so those calls are made but their failures ignored (Story ignores "nothing to
// claim" the same way) and only the no-children path is meaningful.
contract RoyaltyWorkflows {
    error RoyaltyWorkflows__ZeroAddressParam();

    function claimAllRevenue(
        address ancestorIpId,
        address claimer,
        address[] calldata childIpIds,
        address[] calldata royaltyPolicies,
        address[] calldata currencyTokens
    ) external returns (uint256[] memory amountsClaimed) {
        if (ancestorIpId == address(0) || claimer == address(0)) revert RoyaltyWorkflows__ZeroAddressParam();
        for (uint256 i = 0; i < childIpIds.length && i < royaltyPolicies.length && i < currencyTokens.length; i++) {
            (bool ok,) = royaltyPolicies[i].call(
                abi.encodeWithSignature(
                    "transferToVault(address,address,address)", childIpIds[i], ancestorIpId, currencyTokens[i]
                )
            );
            ok; // failures ignored, see above
        }
        address vault = IRoyaltyModuleMin(StoryAddresses.ROYALTY_MODULE).ipRoyaltyVaults(ancestorIpId);
        amountsClaimed = IIpRoyaltyVaultMin(vault).claimRevenueOnBehalfByTokenBatch(claimer, _unique(currencyTokens));
    }

    function _unique(address[] calldata list) private pure returns (address[] memory out) {
        address[] memory buffer = new address[](list.length);
        uint256 count;
        for (uint256 i = 0; i < list.length; i++) {
            bool seen;
            for (uint256 j = 0; j < count && !seen; j++) {
                seen = buffer[j] == list[i];
            }
            if (!seen) buffer[count++] = list[i];
        }
        out = new address[](count);
        for (uint256 i = 0; i < count; i++) {
            out[i] = buffer[i];
        }
    }
}
