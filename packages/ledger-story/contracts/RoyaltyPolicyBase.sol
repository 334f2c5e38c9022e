// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC20Min, IIpRoyaltyVaultMin, IRoyaltyModuleMin} from "./Interfaces.sol";

// Test contract, not Story's code. What the royalty policies (LAP, LRP) keep and do alike: what
// each child owes (its stack) and owes each ancestor, in the policy's own unit; moving an
// ancestor's part of the child's revenue out of the policy into its vault; asking no royalty
// tokens to link. Each policy works out the shares its own way and keeps its own errors (Story
// names them after the policy: RoyaltyPolicyLAP__…, RoyaltyPolicyLRP__…).
abstract contract RoyaltyPolicyBase {
    event RevenueTransferredToVault(address ipId, address ancestorIpId, address token, uint256 amount);

    uint32 internal constant MAX_PERCENT = 100_000_000;

    mapping(address => uint256) internal royaltyStack; // over _wholeRevenue()
    mapping(address => mapping(address => uint256)) internal royalties; // ipId => ancestor => share, likewise
    mapping(address => mapping(address => mapping(address => uint256))) private transferred;

    // The part of a payment of `amount` to `ipId` that this policy takes for the ancestors.
    function revenueShare(address ipId, uint256 amount) external view returns (uint256) {
        return amount * royaltyStack[ipId] / _wholeRevenue();
    }

    // In millionths of a percent, rounded down, as Story's getters answer.
    function getPolicyRoyaltyStack(address ipId) external view returns (uint32) {
        return uint32(royaltyStack[ipId] * MAX_PERCENT / _wholeRevenue());
    }

    function getPolicyRoyalty(address ipId, address ancestorIpId) external view returns (uint32) {
        return uint32(royalties[ipId][ancestorIpId] * MAX_PERCENT / _wholeRevenue());
    }

    function getTransferredTokens(address ipId, address ancestorIpId, address token) external view returns (uint256) {
        return transferred[ipId][ancestorIpId][token];
    }

    // The doubles ask a child for no royalty tokens to be linked (LAP never does on Story).
    function getPolicyRtsRequiredToLink(address, uint32) external pure returns (uint32) {
        return 0;
    }

    // The policy's unit for stacks and royalties: what a share of all of a child's revenue is.
    function _wholeRevenue() internal pure virtual returns (uint256);

    // Moves into `ancestorIpId`'s vault what it is owed of `ipId`'s revenue in `token` and has not
    // been moved yet: its part, royalty / stack, of what the RoyaltyModule accounted to this
    // policy for `ipId`. Computing it on running totals keeps rounding to at most a wei per
    // ancestor, whatever the number of payments. Returns the amount moved; when it is 0 nothing
    // is done (the policy reverts with its error).
    function _transferToVault(address ipId, address ancestorIpId, address token) internal returns (uint256 amount) {
        uint256 royalty = royalties[ipId][ancestorIpId];
        if (royalty == 0) return 0;
        IRoyaltyModuleMin royaltyModule = IRoyaltyModuleMin(StoryAddresses.ROYALTY_MODULE);
        uint256 owed = royaltyModule.totalRevenueTokensAccounted(ipId, token, address(this)) * royalty / royaltyStack[ipId];
        amount = owed - transferred[ipId][ancestorIpId][token];
        if (amount == 0) return 0;
        transferred[ipId][ancestorIpId][token] = owed;
        // The vault exists: the RoyaltyModule gives every ancestor one when a child is linked.
        address vault = royaltyModule.ipRoyaltyVaults(ancestorIpId);
        IIpRoyaltyVaultMin(vault).updateVaultBalance(token, amount);
        IERC20Min(token).transfer(vault, amount);
        emit RevenueTransferredToVault(ipId, ancestorIpId, token, amount);
    }
}
