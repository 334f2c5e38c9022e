// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC20Min} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// The IP Royalty Vault of one IP: an ERC-20 of royalty tokens (RTs: 100,000,000 units, 6
// decimals, all minted to the IP account) that also holds the IP's revenue. Revenue is claimable
// pro rata to RT holdings. As in Story's vault, each holder has a revenue debt per token that is
// adjusted whenever RTs move, so revenue received before a transfer stays with the sender:
//   claimable = accumulated × balance / supply − debt.
// No pausing, no group pools, no ancestor-vault rules, no snapshots.
contract IpRoyaltyVault {
    uint256 private constant SUPPLY = 100_000_000;

    error IpRoyaltyVault__NoClaimableTokens();
    error IpRoyaltyVault__NotAllowedToAddTokenToVault();
    error IpRoyaltyVault__NotWhitelistedRoyaltyToken();
    error IpRoyaltyVault__ZeroAmount();
    error IpRoyaltyVault__SameFromToAddress(address vault, address from);
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    error ERC20InvalidReceiver(address receiver);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event RevenueTokenAddedToVault(address token, uint256 amount);
    event RevenueTokenClaimed(address claimer, address token, uint256 amount);
    event RevenueDebtUpdated(address claimer, address token, int256 amount);

    address public immutable ipId;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => uint256) public vaultAccBalances;
    mapping(address => mapping(address => int256)) private revenueDebt;
    address[] private revenueTokens;
    mapping(address => bool) private isRevenueToken;

    constructor(address ipId_) {
        ipId = ipId_;
        balanceOf[ipId_] = SUPPLY;
        emit Transfer(address(0), ipId_, SUPPLY);
    }

    function name() external pure returns (string memory) {
        return "Royalty Token";
    }

    function symbol() external pure returns (string memory) {
        return "RT";
    }

    function decimals() external pure returns (uint8) {
        return 6;
    }

    function totalSupply() external pure returns (uint256) {
        return SUPPLY;
    }

    function tokens() external view returns (address[] memory) {
        return revenueTokens;
    }

    function claimerRevenueDebt(address claimer, address token) external view returns (int256) {
        return revenueDebt[claimer][token];
    }

    // Called by the RoyaltyModule, or by a royalty policy passing on an ancestor's share, right
    // before it moves `amount` of `token` into this vault.
    function updateVaultBalance(address token, uint256 amount) external {
        if (
            msg.sender != StoryAddresses.ROYALTY_MODULE && msg.sender != StoryAddresses.ROYALTY_POLICY_LAP
                && msg.sender != StoryAddresses.ROYALTY_POLICY_LRP
        ) {
            revert IpRoyaltyVault__NotAllowedToAddTokenToVault();
        }
        if (token != StoryAddresses.WIP) revert IpRoyaltyVault__NotWhitelistedRoyaltyToken();
        if (amount == 0) revert IpRoyaltyVault__ZeroAmount();
        if (!isRevenueToken[token]) {
            isRevenueToken[token] = true;
            revenueTokens.push(token);
        }
        vaultAccBalances[token] += amount;
        emit RevenueTokenAddedToVault(token, amount);
    }

    function claimableRevenue(address claimer, address token) public view returns (uint256) {
        int256 owed = int256(vaultAccBalances[token] * balanceOf[claimer] / SUPPLY) - revenueDebt[claimer][token];
        return owed > 0 ? uint256(owed) : 0;
    }

    // Anyone may trigger a claim; the revenue always goes to the claimer.
    function claimRevenueOnBehalf(address claimer, address token) public returns (uint256 amount) {
        amount = claimableRevenue(claimer, token);
        if (amount == 0) revert IpRoyaltyVault__NoClaimableTokens();
        _addDebt(claimer, token, int256(amount));
        IERC20Min(token).transfer(claimer, amount);
        emit RevenueTokenClaimed(claimer, token, amount);
    }

    function claimRevenueOnBehalfByTokenBatch(address claimer, address[] calldata tokenList)
        external
        returns (uint256[] memory amounts)
    {
        amounts = new uint256[](tokenList.length);
        for (uint256 i = 0; i < tokenList.length; i++) {
            amounts[i] = claimRevenueOnBehalf(claimer, tokenList[i]);
        }
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0)) revert ERC20InvalidReceiver(to);
        if (from == to) revert IpRoyaltyVault__SameFromToAddress(address(this), from);
        uint256 balance = balanceOf[from];
        if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
        // Revenue already in the vault stays claimable by the sender: move the matching debt.
        for (uint256 i = 0; i < revenueTokens.length; i++) {
            address token = revenueTokens[i];
            int256 share = int256(vaultAccBalances[token] * value / SUPPLY);
            _addDebt(from, token, -share);
            _addDebt(to, token, share);
        }
        balanceOf[from] = balance - value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }

    function _addDebt(address claimer, address token, int256 delta) private {
        revenueDebt[claimer][token] += delta;
        emit RevenueDebtUpdated(claimer, token, delta);
    }
}
