// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {IPAccount} from "./IPAccount.sol";
import {IERC721Min, IIPAccountMin} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Registers an ERC-721 token as an IP Asset: deploys its IP account with CREATE2 (so ipId() is
// known before registration, as the SDK expects), records the registration in the account's
// storage under this registry's namespace and emits IPRegistered. Permissionless, like Story's.
// No registration fee, no ERC-6551 registry, no groups.
contract IPAssetRegistry {
    error IPAssetRegistry__InvalidToken(address contractAddress, uint256 tokenId);
    error IPAssetRegistry__UnsupportedIERC721(address contractAddress);

    event IPAccountRegistered(
        address indexed account, address indexed implementation, uint256 indexed chainId, address tokenContract, uint256 tokenId
    );
    event IPRegistered(
        address ipId,
        uint256 indexed chainId,
        address indexed tokenContract,
        uint256 indexed tokenId,
        string name,
        string uri,
        uint256 registrationDate
    );

    bytes32 public constant IP_ACCOUNT_SALT = bytes32(0);

    mapping(address => bool) private registered;
    uint256 public totalSupply;

    function ipId(uint256 chainId, address tokenContract, uint256 tokenId) public view returns (address) {
        bytes32 initCodeHash =
            keccak256(abi.encodePacked(type(IPAccount).creationCode, abi.encode(chainId, tokenContract, tokenId)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), IP_ACCOUNT_SALT, initCodeHash)))));
    }

    function ipAccount(uint256 chainId, address tokenContract, uint256 tokenId) external view returns (address) {
        return ipId(chainId, tokenContract, tokenId);
    }

    function isRegistered(address id) external view returns (bool) {
        return registered[id];
    }

    function register(uint256 chainid, address tokenContract, uint256 tokenId) external returns (address id) {
        id = ipId(chainid, tokenContract, tokenId);
        if (registered[id]) return id;
        if (chainid != block.chainid) revert IPAssetRegistry__InvalidToken(tokenContract, tokenId);
        if (tokenContract.code.length == 0 || !_supportsERC721(tokenContract)) {
            revert IPAssetRegistry__UnsupportedIERC721(tokenContract);
        }
        try IERC721Min(tokenContract).ownerOf(tokenId) returns (address) {}
        catch {
            revert IPAssetRegistry__InvalidToken(tokenContract, tokenId);
        }
        if (id.code.length == 0) new IPAccount{salt: IP_ACCOUNT_SALT}(chainid, tokenContract, tokenId);
        emit IPAccountRegistered(id, id, chainid, tokenContract, tokenId);

        registered[id] = true;
        totalSupply++;
        string memory name = string.concat(
            _toString(chainid), ": ", _tryName(tokenContract), " #", _toString(tokenId)
        );
        string memory uri = _tryTokenURI(tokenContract, tokenId);
        IIPAccountMin(id).setBytes("NAME", bytes(name));
        IIPAccountMin(id).setBytes("URI", bytes(uri));
        IIPAccountMin(id).setBytes32("REGISTRATION_DATE", bytes32(block.timestamp));
        emit IPRegistered(id, chainid, tokenContract, tokenId, name, uri, block.timestamp);
    }

    function _supportsERC721(address tokenContract) private view returns (bool) {
        try IERC721Min(tokenContract).supportsInterface(0x80ac58cd) returns (bool yes) {
            return yes;
        } catch {
            return false;
        }
    }

    function _tryName(address tokenContract) private view returns (string memory) {
        try IERC721Min(tokenContract).name() returns (string memory n) {
            return n;
        } catch {
            return "";
        }
    }

    function _tryTokenURI(address tokenContract, uint256 tokenId) private view returns (string memory) {
        try IERC721Min(tokenContract).tokenURI(tokenId) returns (string memory u) {
            return u;
        } catch {
            return "";
        }
    }

    function _toString(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) digits++;
        bytes memory buffer = new bytes(digits);
        for (; value != 0; value /= 10) buffer[--digits] = bytes1(uint8(48 + (value % 10)));
        return string(buffer);
    }
}
