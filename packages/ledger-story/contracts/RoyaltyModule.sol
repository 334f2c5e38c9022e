// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {IpRoyaltyVault} from "./IpRoyaltyVault.sol";
import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC20Min, IIPAssetRegistryMin, IIpRoyaltyVaultMin} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Keeps the IP → royalty vault map and takes royalty payments: the payment goes to the
// receiver's vault, and fails with RoyaltyModule__ZeroReceiverVault when the receiver has none,
// as on Story. No protocol fee, no royalty policies (nothing goes to ancestors), no dispute or
// expiry checks; WIP is the only whitelisted token, LAP and LRP the whitelisted policies.
// Vaults appear through onLicenseMinting (the hook Story's LicensingModule calls) or through
// deployVault, which exists in Story's protocol-core main branch but not in the SDK's ABI.
contract RoyaltyModule {
    error RoyaltyModule__NotAllowedCaller();
    error RoyaltyModule__NotWhitelistedRoyaltyToken();
    error RoyaltyModule__ZeroAmount();
    error RoyaltyModule__ZeroReceiverVault();
    // Not one of Story's errors: deployVault is the doubles' own way to create a vault.
    error RoyaltyModule__NotRegisteredIpId(address ipId);

    event IpRoyaltyVaultDeployed(address ipId, address ipRoyaltyVault);
    event RoyaltyPaid(
        address receiverIpId, address payerIpId, address sender, address token, uint256 amount, uint256 amountAfterFee
    );

    mapping(address => address) public ipRoyaltyVaults;
    mapping(address => bool) public isIpRoyaltyVault;
    mapping(address => mapping(address => uint256)) public totalRevenueTokensReceived;

    function name() external pure returns (string memory) {
        return "ROYALTY_MODULE";
    }

    function maxPercent() external pure returns (uint32) {
        return 100_000_000;
    }

    function royaltyFeePercent() external pure returns (uint32) {
        return 0;
    }

    function isWhitelistedRoyaltyToken(address token) public pure returns (bool) {
        return token == StoryAddresses.WIP;
    }

    function isWhitelistedRoyaltyPolicy(address policy) external pure returns (bool) {
        return policy == StoryAddresses.ROYALTY_POLICY_LAP || policy == StoryAddresses.ROYALTY_POLICY_LRP;
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

    // Story's LicensingModule calls this when license tokens are minted; here it only makes sure
    // the licensor has a vault (for a later LicensingModule double).
    function onLicenseMinting(address ipId, address, uint32, bytes calldata) external {
        if (msg.sender != StoryAddresses.LICENSING_MODULE) revert RoyaltyModule__NotAllowedCaller();
        deployVault(ipId);
    }

    function payRoyaltyOnBehalf(address receiverIpId, address payerIpId, address token, uint256 amount) external {
        if (amount == 0) revert RoyaltyModule__ZeroAmount();
        if (!isWhitelistedRoyaltyToken(token)) revert RoyaltyModule__NotWhitelistedRoyaltyToken();
        address vault = ipRoyaltyVaults[receiverIpId];
        if (vault == address(0)) revert RoyaltyModule__ZeroReceiverVault();
        totalRevenueTokensReceived[receiverIpId][token] += amount;
        IIpRoyaltyVaultMin(vault).updateVaultBalance(token, amount);
        IERC20Min(token).transferFrom(msg.sender, vault, amount);
        emit RoyaltyPaid(receiverIpId, payerIpId, msg.sender, token, amount, amount);
    }
}
