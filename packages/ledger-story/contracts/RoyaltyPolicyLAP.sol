// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC20Min, IIpRoyaltyVaultMin, IRoyaltyModuleMin} from "./Interfaces.sol";

interface IRoyaltyModuleAccounting {
    function totalRevenueTokensAccounted(address ipId, address token, address royaltyPolicy)
        external
        view
        returns (uint256);
}

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Liquid Absolute Percentage: when a child is linked under LAP terms, each parent is owed the
// terms' share of the child's revenue, and every ancestor of a parent is owed the same share of
// the child's revenue as it is owed of the parent's (absolute percentages: a grandparent's 10 %
// applies to the grandchild's revenue too). A child's royalty stack is the sum over all its
// ancestors (a share reached along two paths counts twice). The RoyaltyModule sends
// `payment × stack / 100,000,000` of every payment to the child here; transferToVault moves an
// ancestor's part of it into the ancestor's vault. Stands in for Story's IP Graph precompile
// with plain storage; no LRP, groups or external policies.
contract RoyaltyPolicyLAP {
    uint32 private constant MAX_PERCENT = 100_000_000;

    error RoyaltyPolicyLAP__AboveMaxPercent();
    error RoyaltyPolicyLAP__NotRoyaltyModule();
    error RoyaltyPolicyLAP__SameIpTransfer();
    error RoyaltyPolicyLAP__ZeroClaimableRoyalty();

    event RevenueTransferredToVault(address ipId, address ancestorIpId, address token, uint256 amount);

    mapping(address => uint32) private royaltyStack;
    mapping(address => mapping(address => uint32)) private royalties; // ipId => ancestor => share
    mapping(address => address[]) private ancestorsOf;
    mapping(address => mapping(address => bool)) private isAncestor;
    mapping(address => mapping(address => mapping(address => uint256))) private transferred;

    // Called by the RoyaltyModule when a child is linked; returns the child's new stack.
    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata
    ) external returns (uint32 newRoyaltyStack) {
        if (msg.sender != StoryAddresses.ROYALTY_MODULE) revert RoyaltyPolicyLAP__NotRoyaltyModule();
        uint256 stack = royaltyStack[ipId];
        for (uint256 i = 0; i < parentIpIds.length; i++) {
            if (licenseRoyaltyPolicies[i] == address(this)) stack += _linkParent(ipId, parentIpIds[i], licensesPercent[i]);
        }
        if (stack > MAX_PERCENT) revert RoyaltyPolicyLAP__AboveMaxPercent();
        newRoyaltyStack = uint32(stack);
        royaltyStack[ipId] = newRoyaltyStack;
    }

    // Moves what `ancestorIpId` is owed of `ipId`'s revenue in `token`, and not yet moved, into
    // the ancestor's vault. What the RoyaltyModule accounted here for `ipId` is the stack's share
    // of its revenue, so the ancestor's part of it is royalty / stack; computing it on running
    // totals keeps rounding to at most a wei per ancestor, whatever the number of payments.
    function transferToVault(address ipId, address ancestorIpId, address token) external returns (uint256 amount) {
        if (ipId == ancestorIpId) revert RoyaltyPolicyLAP__SameIpTransfer();
        uint32 royalty = royalties[ipId][ancestorIpId];
        if (royalty == 0) revert RoyaltyPolicyLAP__ZeroClaimableRoyalty();
        uint256 accounted = IRoyaltyModuleAccounting(StoryAddresses.ROYALTY_MODULE).totalRevenueTokensAccounted(
            ipId, token, address(this)
        );
        uint256 owed = accounted * royalty / royaltyStack[ipId];
        amount = owed - transferred[ipId][ancestorIpId][token];
        if (amount == 0) revert RoyaltyPolicyLAP__ZeroClaimableRoyalty();
        transferred[ipId][ancestorIpId][token] = owed;
        // The vault exists: the RoyaltyModule gives every ancestor one when a child is linked.
        address vault = IRoyaltyModuleMin(StoryAddresses.ROYALTY_MODULE).ipRoyaltyVaults(ancestorIpId);
        IIpRoyaltyVaultMin(vault).updateVaultBalance(token, amount);
        IERC20Min(token).transfer(vault, amount);
        emit RevenueTransferredToVault(ipId, ancestorIpId, token, amount);
    }

    function getPolicyRoyaltyStack(address ipId) external view returns (uint32) {
        return royaltyStack[ipId];
    }

    function getPolicyRoyalty(address ipId, address ancestorIpId) external view returns (uint32) {
        return royalties[ipId][ancestorIpId];
    }

    function getTransferredTokens(address ipId, address ancestorIpId, address token) external view returns (uint256) {
        return transferred[ipId][ancestorIpId][token];
    }

    // LAP never asks a child for royalty tokens to be linked.
    function getPolicyRtsRequiredToLink(address, uint32) external pure returns (uint32) {
        return 0;
    }

    // The child owes the parent `percent` and each of the parent's ancestors what the parent
    // owes it; returns how much that adds to the child's stack.
    function _linkParent(address ipId, address parent, uint32 percent) private returns (uint256 added) {
        _addRoyalty(ipId, parent, percent);
        added = percent;
        address[] storage inherited = ancestorsOf[parent];
        for (uint256 j = 0; j < inherited.length; j++) {
            uint32 share = royalties[parent][inherited[j]];
            _addRoyalty(ipId, inherited[j], share);
            added += share;
        }
    }

    function _addRoyalty(address ipId, address ancestorIpId, uint32 share) private {
        if (!isAncestor[ipId][ancestorIpId]) {
            isAncestor[ipId][ancestorIpId] = true;
            ancestorsOf[ipId].push(ancestorIpId);
        }
        royalties[ipId][ancestorIpId] += share;
    }
}
