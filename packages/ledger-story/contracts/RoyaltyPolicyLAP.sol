// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {RoyaltyPolicyBase} from "./RoyaltyPolicyBase.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Liquid Absolute Percentage: a child owes each ancestor the share of every LAP link into that
// ancestor from the child or from any of the child's ancestors, as an absolute percentage of the
// child's revenue (a grandparent's 10 % applies to the grandchild's revenue too, whatever the
// policy of the links below it). Each LAP link counts once, however many paths lead to it. A
// child's stack is the sum of what it owes. The RoyaltyModule sends `payment × stack /
// 100,000,000` of every payment to the child here (revenueShare); transferToVault moves an
// ancestor's part of it into the ancestor's vault. Stands in for Story's IP Graph precompile
// with plain storage; no groups or external policies.
contract RoyaltyPolicyLAP is RoyaltyPolicyBase {
    error RoyaltyPolicyLAP__AboveMaxPercent();
    error RoyaltyPolicyLAP__NotRoyaltyModule();
    error RoyaltyPolicyLAP__SameIpTransfer();
    error RoyaltyPolicyLAP__ZeroClaimableRoyalty();

    struct Link {
        address child;
        address parent;
        uint32 percent;
    }

    mapping(address => Link[]) private lapLinksOf; // every LAP link in the IP's ancestry, once
    mapping(address => mapping(bytes32 => bool)) private hasLink;

    // Called by the RoyaltyModule when a child is linked (to parents under any policy: the LAP
    // links above a parent bind the child whatever the link to that parent); returns the
    // child's new stack.
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
            if (licenseRoyaltyPolicies[i] == address(this)) {
                stack += _addLink(ipId, Link(ipId, parentIpIds[i], licensesPercent[i]));
            }
            Link[] storage inherited = lapLinksOf[parentIpIds[i]];
            for (uint256 j = 0; j < inherited.length; j++) {
                stack += _addLink(ipId, inherited[j]);
            }
        }
        if (stack > MAX_PERCENT) revert RoyaltyPolicyLAP__AboveMaxPercent();
        newRoyaltyStack = uint32(stack);
        royaltyStack[ipId] = newRoyaltyStack;
    }

    // Moves what `ancestorIpId` is owed of `ipId`'s revenue in `token`, and not yet moved, into
    // the ancestor's vault. What the RoyaltyModule accounted here for `ipId` is the stack's share
    // of its revenue, so the ancestor's part of it is royalty / stack.
    function transferToVault(address ipId, address ancestorIpId, address token) external returns (uint256 amount) {
        if (ipId == ancestorIpId) revert RoyaltyPolicyLAP__SameIpTransfer();
        amount = _transferToVault(ipId, ancestorIpId, token);
        if (amount == 0) revert RoyaltyPolicyLAP__ZeroClaimableRoyalty();
    }

    // Stacks and royalties are kept in millionths of a percent, as the links give them.
    function _wholeRevenue() internal pure override returns (uint256) {
        return MAX_PERCENT;
    }

    // Makes `ipId` owe `link.parent` the link's share, unless the link is counted already;
    // returns how much that adds to the stack.
    function _addLink(address ipId, Link memory link) private returns (uint32) {
        bytes32 key = keccak256(abi.encode(link.child, link.parent));
        if (hasLink[ipId][key]) return 0;
        hasLink[ipId][key] = true;
        lapLinksOf[ipId].push(link);
        royalties[ipId][link.parent] += link.percent;
        return link.percent;
    }
}
