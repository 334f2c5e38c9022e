// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {RoyaltyPolicyBase} from "./RoyaltyPolicyBase.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Liquid Relative Percentage: a child linked to a parent under LRP terms owes the parent the
// terms' share of its revenue, and owes each of the parent's LRP ancestors that share of what
// the parent owes them (10 % of 10 % = 1 %): along a path of LRP links the shares multiply, a
// link of another policy ends the path, and several paths add up. A child's stack is the sum of
// what it owes. The RoyaltyModule sends `payment × stack` of every payment to the child here
// (revenueShare); transferToVault moves an ancestor's part of it into the ancestor's vault.
// Products of shares are not whole millionths of a percent, so royalties and stacks are kept
// as fractions of PRECISION (exact for paths of up to four links; deeper products round down
// by under 10^-32 of a payment). Stands in for Story's IP Graph precompile with plain storage.
contract RoyaltyPolicyLRP is RoyaltyPolicyBase {
    uint256 private constant PRECISION = 1e32;

    error RoyaltyPolicyLRP__AboveMaxPercent();
    error RoyaltyPolicyLRP__NotRoyaltyModule();
    error RoyaltyPolicyLRP__SameIpTransfer();
    error RoyaltyPolicyLRP__ZeroClaimableRoyalty();

    mapping(address => address[]) private ancestorsOf;
    mapping(address => mapping(address => bool)) private isAncestor;

    // Called by the RoyaltyModule when a child is linked; returns the child's new stack in
    // millionths of a percent, rounded down (the module splits payments with revenueShare).
    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata
    ) external returns (uint32 newRoyaltyStack) {
        if (msg.sender != StoryAddresses.ROYALTY_MODULE) revert RoyaltyPolicyLRP__NotRoyaltyModule();
        uint256 stack = royaltyStack[ipId];
        for (uint256 i = 0; i < parentIpIds.length; i++) {
            if (licenseRoyaltyPolicies[i] == address(this)) stack += _linkParent(ipId, parentIpIds[i], licensesPercent[i]);
        }
        if (stack > PRECISION) revert RoyaltyPolicyLRP__AboveMaxPercent();
        royaltyStack[ipId] = stack;
        newRoyaltyStack = uint32(stack * MAX_PERCENT / PRECISION);
    }

    // Moves what `ancestorIpId` is owed of `ipId`'s revenue in `token`, and not yet moved, into
    // the ancestor's vault: its part (royalty / stack) of what the module accounted here for
    // `ipId`.
    function transferToVault(address ipId, address ancestorIpId, address token) external returns (uint256 amount) {
        if (ipId == ancestorIpId) revert RoyaltyPolicyLRP__SameIpTransfer();
        amount = _transferToVault(ipId, ancestorIpId, token);
        if (amount == 0) revert RoyaltyPolicyLRP__ZeroClaimableRoyalty();
    }

    function _wholeRevenue() internal pure override returns (uint256) {
        return PRECISION;
    }

    // The child owes the parent `percent`, and each of the parent's LRP ancestors `percent` of
    // what the parent owes it; returns how much that adds to the child's stack.
    function _linkParent(address ipId, address parent, uint32 percent) private returns (uint256 added) {
        added = uint256(percent) * (PRECISION / MAX_PERCENT);
        _addRoyalty(ipId, parent, added);
        address[] storage inherited = ancestorsOf[parent];
        for (uint256 j = 0; j < inherited.length; j++) {
            uint256 share = royalties[parent][inherited[j]] * percent / MAX_PERCENT;
            _addRoyalty(ipId, inherited[j], share);
            added += share;
        }
    }

    function _addRoyalty(address ipId, address ancestorIpId, uint256 share) private {
        if (share == 0) return;
        if (!isAncestor[ipId][ancestorIpId]) {
            isAncestor[ipId][ancestorIpId] = true;
            ancestorsOf[ipId].push(ancestorIpId);
        }
        royalties[ipId][ancestorIpId] += share;
    }
}
