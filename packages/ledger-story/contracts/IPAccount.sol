// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC721Min} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// The IP account of one IP Asset (its ipId): a token-bound account that belongs to whoever owns
// the bound NFT, executes calls for that owner and keeps namespaced key-value storage that the
// modules write (metadata, registration record). IPAssetRegistry deploys it with CREATE2, so its
// address is known before registration. No AccessController: only the owner may execute, and no
// signed execution (executeWithSig) is offered.
contract IPAccount {
    struct Call {
        address target;
        uint256 value;
        bytes data;
    }

    error IPAccount__InvalidOperation();
    error IPAccount__InvalidSigner();
    error IPAccountStorage__NotRegisteredModule(address module);

    event Executed(address indexed to, uint256 value, bytes data, bytes32 nonce);

    uint256 private immutable boundChainId;
    address private immutable boundTokenContract;
    uint256 private immutable boundTokenId;

    // Changes with every execution, as Story's IP account state does (used in signature nonces).
    bytes32 public state;
    mapping(bytes32 => mapping(bytes32 => bytes)) public bytesData;
    mapping(bytes32 => mapping(bytes32 => bytes32)) public bytes32Data;

    constructor(uint256 chainId, address tokenContract, uint256 tokenId) {
        boundChainId = chainId;
        boundTokenContract = tokenContract;
        boundTokenId = tokenId;
    }

    receive() external payable {}

    function token() external view returns (uint256, address, uint256) {
        return (boundChainId, boundTokenContract, boundTokenId);
    }

    function owner() public view returns (address) {
        if (boundChainId != block.chainid) return address(0);
        return IERC721Min(boundTokenContract).ownerOf(boundTokenId);
    }

    function isValidSigner(address signer, bytes calldata) external view returns (bytes4) {
        return signer == owner() ? this.isValidSigner.selector : bytes4(0);
    }

    function execute(address to, uint256 value, bytes calldata data, uint8 operation)
        external
        payable
        returns (bytes memory)
    {
        if (operation != 0) revert IPAccount__InvalidOperation();
        return _execute(to, value, data);
    }

    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        return _execute(to, value, data);
    }

    function executeBatch(Call[] calldata calls, uint8 operation) external payable returns (bytes[] memory results) {
        if (operation != 0) revert IPAccount__InvalidOperation();
        results = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            results[i] = _execute(calls[i].target, calls[i].value, calls[i].data);
        }
    }

    // Storage writes go to the caller's namespace; only Story's modules may write, so an IP
    // owner cannot forge what the metadata module or the registry recorded.
    function setBytes(bytes32 key, bytes calldata value) external {
        bytesData[_writerNamespace()][key] = value;
    }

    function setBytes32(bytes32 key, bytes32 value) external {
        bytes32Data[_writerNamespace()][key] = value;
    }

    function getBytes(bytes32 namespace, bytes32 key) external view returns (bytes memory) {
        return bytesData[namespace][key];
    }

    function getBytes(bytes32 key) external view returns (bytes memory) {
        return bytesData[bytes32(uint256(uint160(msg.sender)))][key];
    }

    function getBytes32(bytes32 namespace, bytes32 key) external view returns (bytes32) {
        return bytes32Data[namespace][key];
    }

    function getBytes32(bytes32 key) external view returns (bytes32) {
        return bytes32Data[bytes32(uint256(uint160(msg.sender)))][key];
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x150b7a02;
    }

    function _execute(address to, uint256 value, bytes calldata data) private returns (bytes memory result) {
        if (msg.sender != owner()) revert IPAccount__InvalidSigner();
        state = keccak256(abi.encode(state, msg.data));
        emit Executed(to, value, data, state);
        bool ok;
        (ok, result) = to.call{value: value}(data);
        if (!ok) {
            // Bubble the callee's revert data unchanged, so its custom error reaches the caller.
            assembly {
                revert(add(result, 32), mload(result))
            }
        }
    }

    function _writerNamespace() private view returns (bytes32) {
        if (
            msg.sender != StoryAddresses.IP_ASSET_REGISTRY && msg.sender != StoryAddresses.CORE_METADATA_MODULE
                && msg.sender != StoryAddresses.LICENSING_MODULE && msg.sender != StoryAddresses.LICENSE_REGISTRY
                && msg.sender != StoryAddresses.ROYALTY_MODULE
        ) revert IPAccountStorage__NotRegisteredModule(msg.sender);
        return bytes32(uint256(uint160(msg.sender)));
    }
}
