// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IIpRoyaltyVaultMin, IRoyaltyModuleMin} from "./Interfaces.sol";

interface IRoyaltyPolicyTransferMin {
    function transferToVault(address ipId, address ancestorIpId, address token) external returns (uint256);
}

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// claimAllRevenue claims an ancestor's vault revenue for a claimer in one call: first it has
// each child's royalty policy (royaltyPolicies[i] for childIpIds[i]) move the ancestor's share
// of the child's revenue into the ancestor's vault, for every listed token, ignoring only
// "nothing owed" (RoyaltyPolicyLAP__ZeroClaimableRoyalty), as Story's workflow does; any other
// failure reverts the claim. Then it claims every listed token from the ancestor's vault.
contract RoyaltyWorkflows {
    error RoyaltyWorkflows__ZeroAddressParam();

    // RoyaltyPolicyLAP__ZeroClaimableRoyalty() and its LRP twin: the ancestor is owed nothing.
    bytes4 private constant LAP_NOTHING_OWED = bytes4(keccak256("RoyaltyPolicyLAP__ZeroClaimableRoyalty()"));
    bytes4 private constant LRP_NOTHING_OWED = bytes4(keccak256("RoyaltyPolicyLRP__ZeroClaimableRoyalty()"));

    function claimAllRevenue(
        address ancestorIpId,
        address claimer,
        address[] calldata childIpIds,
        address[] calldata royaltyPolicies,
        address[] calldata currencyTokens
    ) external returns (uint256[] memory amountsClaimed) {
        if (ancestorIpId == address(0) || claimer == address(0)) revert RoyaltyWorkflows__ZeroAddressParam();
        address[] memory tokens = _unique(currencyTokens);
        for (uint256 i = 0; i < childIpIds.length && i < royaltyPolicies.length; i++) {
            for (uint256 j = 0; j < tokens.length; j++) {
                _transferToVault(royaltyPolicies[i], childIpIds[i], ancestorIpId, tokens[j]);
            }
        }
        address vault = IRoyaltyModuleMin(StoryAddresses.ROYALTY_MODULE).ipRoyaltyVaults(ancestorIpId);
        amountsClaimed = IIpRoyaltyVaultMin(vault).claimRevenueOnBehalfByTokenBatch(claimer, tokens);
    }

    function _transferToVault(address policy, address childIpId, address ancestorIpId, address token) private {
        try IRoyaltyPolicyTransferMin(policy).transferToVault(childIpId, ancestorIpId, token) {}
        catch (bytes memory reason) {
            bytes4 selector = reason.length >= 4 ? bytes4(reason) : bytes4(0);
            if (selector == LAP_NOTHING_OWED || selector == LRP_NOTHING_OWED) return;
            assembly {
                revert(add(reason, 32), mload(reason))
            }
        }
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
