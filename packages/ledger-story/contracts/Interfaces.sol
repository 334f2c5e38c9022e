// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

// Test contract, not Story's code. The small slices of ERC-20/ERC-721 and of the other doubles
// that the doubles call on each other; each matches the real interface for those functions.

interface IERC20Min {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

interface IERC721Min {
    function ownerOf(uint256 tokenId) external view returns (address);
    function name() external view returns (string memory);
    function tokenURI(uint256 tokenId) external view returns (string memory);
    function safeTransferFrom(address from, address to, uint256 tokenId) external;
    function supportsInterface(bytes4 interfaceId) external view returns (bool);
}

interface IERC721ReceiverMin {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}

interface IIPAccountMin {
    function owner() external view returns (address);
    function token() external view returns (uint256 chainId, address tokenContract, uint256 tokenId);
    function setBytes(bytes32 key, bytes calldata value) external;
    function setBytes32(bytes32 key, bytes32 value) external;
    function getBytes32(bytes32 namespace, bytes32 key) external view returns (bytes32);
}

interface IIPAssetRegistryMin {
    function isRegistered(address id) external view returns (bool);
    function register(uint256 chainid, address tokenContract, uint256 tokenId) external returns (address);
}

interface IRoyaltyModuleMin {
    function ipRoyaltyVaults(address ipId) external view returns (address);
    function totalRevenueTokensAccounted(address ipId, address token, address royaltyPolicy)
        external
        view
        returns (uint256);
}

interface IIpRoyaltyVaultMin {
    function updateVaultBalance(address token, uint256 amount) external;
    function claimRevenueOnBehalfByTokenBatch(address claimer, address[] calldata tokenList)
        external
        returns (uint256[] memory);
}

// The views of PILicenseTemplate the other doubles read terms through (Story's own views, so
// no double has to decode the whole PILTerms struct).
interface ILicenseTemplateMin {
    function exists(uint256 licenseTermsId) external view returns (bool);
    function getRoyaltyPolicy(uint256 licenseTermsId)
        external
        view
        returns (address royaltyPolicy, uint32 royaltyPercent, uint256 mintingFee, address currency);
    function isLicenseTransferable(uint256 licenseTermsId) external view returns (bool);
    function verifyRegisterDerivative(address childIpId, address parentIpId, uint256 licenseTermsId, address licensee)
        external
        view
        returns (bool);
}

interface IRoyaltyPolicyMin {
    function getPolicyRoyaltyStack(address ipId) external view returns (uint32);
    // Not Story's interface: the doubles' exact split of a payment (LRP's stack is not a whole
    // number of millionths of a percent).
    function revenueShare(address ipId, uint256 amount) external view returns (uint256);
}
