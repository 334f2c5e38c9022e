/**
 * Custom errors of Story Protocol's contracts that the ledger's calls can meet, so that a revert
 * reason reads `Workflow__CallerNotAuthorizedToMint()` instead of a 4-byte selector. The Story SDK
 * does not export its ABIs; these signatures are Story's (the embedded test contracts declare the
 * same ones, and a test checks them against the SDK where it names them).
 */
import { parseAbi } from 'viem';

/** Story's custom errors, plus the OpenZeppelin errors (ERC-20/721, access control, initialization) its contracts use. */
export const storyErrorAbi = parseAbi([
  'error AccessControlled__NotIpAccount(address ipAccount)',
  'error AccessController__PermissionDenied(address ipAccount, address signer, address to, bytes4 func)',
  'error CoreMetadataModule__MetadataAlreadyFrozen()',
  'error IPAccountStorage__NotRegisteredModule(address module)',
  'error IPAccount__InvalidOperation()',
  'error IPAccount__InvalidSigner()',
  'error IPAssetRegistry__InvalidToken(address contractAddress, uint256 tokenId)',
  'error IPAssetRegistry__UnsupportedIERC721(address contractAddress)',
  'error IpRoyaltyVault__NoClaimableTokens()',
  'error IpRoyaltyVault__NotAllowedToAddTokenToVault()',
  'error IpRoyaltyVault__NotWhitelistedRoyaltyToken()',
  'error IpRoyaltyVault__SameFromToAddress(address vault, address from)',
  'error IpRoyaltyVault__ZeroAmount()',
  'error RegistrationWorkflows__CallerNotSigner(address caller, address signer)',
  'error Workflow__CallerNotAuthorizedToMint()',
  'error RoyaltyModule__NotAllowedCaller()',
  'error RoyaltyModule__NotRegisteredIpId(address ipId)',
  'error RoyaltyModule__NotWhitelistedRoyaltyToken()',
  'error RoyaltyModule__ZeroAmount()',
  'error RoyaltyModule__ZeroReceiverVault()',
  'error RoyaltyWorkflows__ZeroAddressParam()',
  'error SPGNFT__CallerNotPeripheryContract()',
  'error SPGNFT__DuplicatedNFTMetadataHash(address spgNftContract, uint256 tokenId, bytes32 nftMetadataHash)',
  'error SPGNFT__MaxSupplyReached()',
  'error SPGNFT__MintingClosed()',
  'error SPGNFT__MintingDenied()',
  'error SPGNFT__ZeroAddressParam()',
  'error SPGNFT__ZeroMaxSupply()',
  'error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)',
  'error InvalidInitialization()',
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
  'error ERC20InvalidReceiver(address receiver)',
  'error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner)',
  'error ERC721InsufficientApproval(address operator, uint256 tokenId)',
  'error ERC721InvalidReceiver(address receiver)',
  'error ERC721NonexistentToken(uint256 tokenId)',
]);
