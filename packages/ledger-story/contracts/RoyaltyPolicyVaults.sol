// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC20Min, IIpRoyaltyVaultMin, IRoyaltyModuleMin} from "./Interfaces.sol";

// Test contract, not Story's code. What the royalty policies (LAP, LRP) do alike when an
// ancestor's royalties leave the policy for its vault; each policy keeps its own shares, units
// and errors.
library RoyaltyPolicyVaults {
    // Moves into `ancestorIpId`'s vault what it is owed of `ipId`'s revenue in `token` and has not
    // been moved yet (`movedSoFar`, by token, kept up to date here): its part, royalty / stack, of
    // what the RoyaltyModule accounted to the calling policy for `ipId`. Computing it on running
    // totals keeps rounding to at most a wei per ancestor, whatever the number of payments.
    // Returns the amount moved; when it is 0 nothing is done (the policy reverts with its error).
    function moveOwed(
        mapping(address => uint256) storage movedSoFar,
        address ipId,
        address ancestorIpId,
        address token,
        uint256 royalty,
        uint256 stack
    ) internal returns (uint256 amount) {
        IRoyaltyModuleMin royaltyModule = IRoyaltyModuleMin(StoryAddresses.ROYALTY_MODULE);
        uint256 owed = royaltyModule.totalRevenueTokensAccounted(ipId, token, address(this)) * royalty / stack;
        amount = owed - movedSoFar[token];
        if (amount == 0) return 0;
        movedSoFar[token] = owed;
        // The vault exists: the RoyaltyModule gives every ancestor one when a child is linked.
        address vault = royaltyModule.ipRoyaltyVaults(ancestorIpId);
        IIpRoyaltyVaultMin(vault).updateVaultBalance(token, amount);
        IERC20Min(token).transfer(vault, amount);
    }
}
