// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// WIP, the ERC-20 wrapper of the native IP token (WETH-style), at 0x1514…0000. Royalty payments
// and claims move WIP; the SDK wraps native IP into it (deposit) and unwraps claims (withdraw).
// Like Story's WIP (a Solady ERC-20), an allowance of 2^256-1 is never decremented.
contract WrappedIP {
    error InsufficientBalance();
    error InsufficientAllowance();
    error IPTransferFailed();
    error ERC20InvalidReceiver(address receiver);

    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Approval(address indexed owner, address indexed spender, uint256 amount);
    event Deposit(address indexed from, uint256 amount);
    event Withdrawal(address indexed to, uint256 amount);

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    function name() external pure returns (string memory) {
        return "Wrapped IP";
    }

    function symbol() external pure returns (string memory) {
        return "WIP";
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    // Every WIP is backed by native IP held here, so the supply is this contract's balance.
    function totalSupply() external view returns (uint256) {
        return address(this).balance;
    }

    receive() external payable {
        deposit();
    }

    function deposit() public payable {
        balanceOf[msg.sender] += msg.value;
        emit Deposit(msg.sender, msg.value);
        emit Transfer(address(0), msg.sender, msg.value);
    }

    function withdraw(uint256 value) external {
        if (balanceOf[msg.sender] < value) revert InsufficientBalance();
        balanceOf[msg.sender] -= value;
        emit Transfer(msg.sender, address(0), value);
        emit Withdrawal(msg.sender, value);
        (bool ok,) = msg.sender.call{value: value}("");
        if (!ok) revert IPTransferFailed();
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert InsufficientAllowance();
            allowance[from][msg.sender] = allowed - amount;
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        // Story's WIP refuses transfers to itself, which would lock the IP backing them.
        if (to == address(this)) revert ERC20InvalidReceiver(to);
        if (balanceOf[from] < amount) revert InsufficientBalance();
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
