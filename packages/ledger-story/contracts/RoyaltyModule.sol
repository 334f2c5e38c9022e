// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {IpRoyaltyVault} from "./IpRoyaltyVault.sol";
import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC20Min, IIPAssetRegistryMin, IIpRoyaltyVaultMin, IRoyaltyPolicyMin} from "./Interfaces.sol";

interface IRoyaltyPolicyLinkMin {
    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata externalData
    ) external returns (uint32);
}

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Keeps the IP → royalty vault map and takes royalty payments and minting fees. A child linked
// to parents accumulates the royalty policies of its links and of its parents (as on Story); a
// payment to it is split with each of them: the policy's share (revenueShare: `amount × stack`)
// goes to the policy contract (counted in totalRevenueTokensAccounted, from where ancestors pull
// their parts with transferToVault) and the rest to the IP's vault; a payment to an IP without
// policies goes whole to its vault. Linking that would take the stacks past 100 % reverts.
// Paying an IP without a vault fails with RoyaltyModule__ZeroReceiverVault, as on Story. No
// protocol fee, no dispute or expiry checks; WIP is the only whitelisted token, LAP and LRP the
// whitelisted policies. Vaults appear when royalty-bearing license tokens are minted or a child
// is linked (the hooks Story's LicensingModule calls), or through deployVault, which exists in
// Story's protocol-core main branch but not in the SDK's ABI.
contract RoyaltyModule {
    uint32 private constant MAX_PERCENT = 100_000_000;
    uint256 private constant SHARE_SCALE = 1e32;

    error RoyaltyModule__AboveMaxPercent();
    error RoyaltyModule__NoParentsOnLinking();
    error RoyaltyModule__NotAllowedCaller();
    error RoyaltyModule__NotWhitelistedOrRegisteredRoyaltyPolicy();
    error RoyaltyModule__NotWhitelistedRoyaltyToken();
    error RoyaltyModule__ZeroAmount();
    error RoyaltyModule__ZeroReceiverVault();
    // Not one of Story's errors: deployVault is the doubles' own way to create a vault.
    error RoyaltyModule__NotRegisteredIpId(address ipId);

    event IpRoyaltyVaultDeployed(address ipId, address ipRoyaltyVault);
    event RoyaltyPaid(
        address receiverIpId, address payerIpId, address sender, address token, uint256 amount, uint256 amountAfterFee
    );
    event LicenseMintingFeePaid(
        address receiverIpId, address payerAddress, address token, uint256 amount, uint256 amountAfterFee
    );
    event LicensedWithRoyalty(address ipId, address royaltyPolicy, uint32 licensePercent, bytes externalData);
    event LinkedToParents(
        address ipId,
        address[] parentIpIds,
        address[] licenseRoyaltyPolicies,
        uint32[] licensesPercent,
        bytes externalData
    );

    mapping(address => address) public ipRoyaltyVaults;
    mapping(address => bool) public isIpRoyaltyVault;
    mapping(address => mapping(address => uint256)) public totalRevenueTokensReceived;
    mapping(address => mapping(address => mapping(address => uint256))) public totalRevenueTokensAccounted;
    mapping(address => address[]) private royaltyPoliciesOf;

    modifier onlyLicensingModule() {
        if (msg.sender != StoryAddresses.LICENSING_MODULE) revert RoyaltyModule__NotAllowedCaller();
        _;
    }

    function name() external pure returns (string memory) {
        return "ROYALTY_MODULE";
    }

    function maxPercent() external pure returns (uint32) {
        return MAX_PERCENT;
    }

    function royaltyFeePercent() external pure returns (uint32) {
        return 0;
    }

    function isWhitelistedRoyaltyToken(address token) public pure returns (bool) {
        return token == StoryAddresses.WIP;
    }

    function isWhitelistedRoyaltyPolicy(address policy) public pure returns (bool) {
        return policy == StoryAddresses.ROYALTY_POLICY_LAP || policy == StoryAddresses.ROYALTY_POLICY_LRP;
    }

    // The policies a payment to the IP is split with: those of its links and of its ancestors.
    function accumulatedRoyaltyPolicies(address ipId) external view returns (address[] memory) {
        return royaltyPoliciesOf[ipId];
    }

    // The share of the IP's revenue owed to its ancestors, over all its policies.
    function globalRoyaltyStack(address ipId) external view returns (uint32 stack) {
        address[] storage policies = royaltyPoliciesOf[ipId];
        for (uint256 i = 0; i < policies.length; i++) {
            stack += IRoyaltyPolicyMin(policies[i]).getPolicyRoyaltyStack(ipId);
        }
    }

    // Deploys the IP's vault if it has none and returns it; idempotent, so tests and adapters
    // can call it before paying without checking first.
    function deployVault(address ipId) public returns (address vault) {
        vault = ipRoyaltyVaults[ipId];
        if (vault != address(0)) return vault;
        if (!IIPAssetRegistryMin(StoryAddresses.IP_ASSET_REGISTRY).isRegistered(ipId)) {
            revert RoyaltyModule__NotRegisteredIpId(ipId);
        }
        vault = address(new IpRoyaltyVault(ipId));
        ipRoyaltyVaults[ipId] = vault;
        isIpRoyaltyVault[vault] = true;
        emit IpRoyaltyVaultDeployed(ipId, vault);
    }

    // Story's LicensingModule calls this when tokens of royalty-bearing terms are minted (or a
    // child pays a parent's minting fee): the licensor gets a vault if it has none.
    function onLicenseMinting(address ipId, address royaltyPolicy, uint32 licensePercent, bytes calldata externalData)
        external
        onlyLicensingModule
    {
        if (!isWhitelistedRoyaltyPolicy(royaltyPolicy)) revert RoyaltyModule__NotWhitelistedOrRegisteredRoyaltyPolicy();
        if (licensePercent > MAX_PERCENT) revert RoyaltyModule__AboveMaxPercent();
        deployVault(ipId);
        emit LicensedWithRoyalty(ipId, royaltyPolicy, licensePercent, externalData);
    }

    // Story's LicensingModule calls this when a child is linked to parents under royalty-bearing
    // terms: the child and its parents get vaults (a parent's vault receives what transferToVault
    // moves), the child's payments are split with the policies of these links and of its
    // parents from now on, and each policy records what the child owes. maxRts is not checked:
    // the doubles ask for no royalty tokens to link.
    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata externalData,
        uint32
    ) external onlyLicensingModule {
        if (parentIpIds.length == 0) revert RoyaltyModule__NoParentsOnLinking();
        deployVault(ipId);
        for (uint256 i = 0; i < parentIpIds.length; i++) {
            address policy = licenseRoyaltyPolicies[i];
            if (!isWhitelistedRoyaltyPolicy(policy)) revert RoyaltyModule__NotWhitelistedOrRegisteredRoyaltyPolicy();
            if (licensesPercent[i] > MAX_PERCENT) revert RoyaltyModule__AboveMaxPercent();
            deployVault(parentIpIds[i]);
            _addPolicy(ipId, policy);
            address[] storage inherited = royaltyPoliciesOf[parentIpIds[i]];
            for (uint256 j = 0; j < inherited.length; j++) {
                _addPolicy(ipId, inherited[j]);
            }
        }
        address[] storage policies = royaltyPoliciesOf[ipId];
        // The stacks as fractions of SHARE_SCALE (LRP's is not a whole number of millionths).
        uint256 total;
        for (uint256 i = 0; i < policies.length; i++) {
            IRoyaltyPolicyLinkMin(policies[i]).onLinkToParents(
                ipId, parentIpIds, licenseRoyaltyPolicies, licensesPercent, externalData
            );
            total += IRoyaltyPolicyMin(policies[i]).revenueShare(ipId, SHARE_SCALE);
        }
        if (total > SHARE_SCALE) revert RoyaltyModule__AboveMaxPercent();
        emit LinkedToParents(ipId, parentIpIds, licenseRoyaltyPolicies, licensesPercent, externalData);
    }

    function payLicenseMintingFee(address receiverIpId, address payerAddress, address token, uint256 amount)
        external
        onlyLicensingModule
    {
        _pay(receiverIpId, payerAddress, token, amount);
        emit LicenseMintingFeePaid(receiverIpId, payerAddress, token, amount, amount);
    }

    function payRoyaltyOnBehalf(address receiverIpId, address payerIpId, address token, uint256 amount) external {
        _pay(receiverIpId, msg.sender, token, amount);
        emit RoyaltyPaid(receiverIpId, payerIpId, msg.sender, token, amount, amount);
    }

    // Takes `amount` from `payer` (who approved this module): each policy's stack share to the
    // policy, the rest (all of it for an IP with no policies) to the receiver's vault. Shares
    // round down, so the vault's part takes the remainder and nothing is lost.
    function _pay(address receiverIpId, address payer, address token, uint256 amount) private {
        if (amount == 0) revert RoyaltyModule__ZeroAmount();
        if (!isWhitelistedRoyaltyToken(token)) revert RoyaltyModule__NotWhitelistedRoyaltyToken();
        address vault = ipRoyaltyVaults[receiverIpId];
        if (vault == address(0)) revert RoyaltyModule__ZeroReceiverVault();
        totalRevenueTokensReceived[receiverIpId][token] += amount;
        uint256 toVault = amount;
        address[] storage policies = royaltyPoliciesOf[receiverIpId];
        for (uint256 i = 0; i < policies.length; i++) {
            uint256 share = IRoyaltyPolicyMin(policies[i]).revenueShare(receiverIpId, amount);
            if (share == 0) continue;
            totalRevenueTokensAccounted[receiverIpId][token][policies[i]] += share;
            toVault -= share;
            IERC20Min(token).transferFrom(payer, policies[i], share);
        }
        if (toVault == 0) return;
        IIpRoyaltyVaultMin(vault).updateVaultBalance(token, toVault);
        IERC20Min(token).transferFrom(payer, vault, toVault);
    }

    function _addPolicy(address ipId, address policy) private {
        address[] storage policies = royaltyPoliciesOf[ipId];
        for (uint256 i = 0; i < policies.length; i++) {
            if (policies[i] == policy) return;
        }
        policies.push(policy);
    }
}
