// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

// Test contract, not Story's code. The addresses where @story-protocol/core-sdk 1.4.4 expects
// Story's contracts on Aeneid (chain id 1315; the same on mainnet 1514 for these). The doubles
// are installed there with hardhat_setCode, which runs no constructor, so they find each other
// through these constants instead of constructor arguments or storage.
library StoryAddresses {
    address internal constant IP_ASSET_REGISTRY = 0x77319B4031e6eF1250907aa00018B8B1c67a244b;
    address internal constant CORE_METADATA_MODULE = 0x6E81a25C99C6e8430aeC7353325EB138aFE5DC16;
    address internal constant REGISTRATION_WORKFLOWS = 0xbe39E1C756e921BD25DF86e7AAa31106d1eb0424;
    address internal constant ROYALTY_MODULE = 0xD2f60c40fEbccf6311f8B47c4f2Ec6b040400086;
    address internal constant ROYALTY_WORKFLOWS = 0x9515faE61E0c0447C6AC6dEe5628A2097aFE1890;
    address internal constant ROYALTY_POLICY_LAP = 0xBe54FB168b3c982b7AaE60dB6CF75Bd8447b390E;
    address internal constant ROYALTY_POLICY_LRP = 0x9156e603C949481883B1d3355c6f1132D191fC41;
    address internal constant LICENSING_MODULE = 0x04fbd8a2e56dd85CFD5500A4A4DfA955B9f1dE6f;
    address internal constant LICENSE_REGISTRY = 0x529a750E02d8E2f15649c13D69a465286a780e24;
    address internal constant LICENSE_TOKEN = 0xFe3838BFb30B34170F00030B52eA4893d8aAC6bC;
    address internal constant PIL_TEMPLATE = 0x2E896b0b2Fdb7457499B56AAaA4AE55BCB4Cd316;
    address internal constant DERIVATIVE_WORKFLOWS = 0x9e2d496f72C547C2C535B167e06ED8729B374a4f;
    address internal constant LICENSE_ATTACHMENT_WORKFLOWS = 0xcC2E862bCee5B6036Db0de6E06Ae87e524a79fd8;
    address internal constant ROYALTY_TOKEN_DISTRIBUTION_WORKFLOWS = 0xa38f42B8d33809917f23997B8423054aAB97322C;
    address internal constant GROUPING_WORKFLOWS = 0xD7c0beb3aa4DCD4723465f1ecAd045676c24CDCd;
    address internal constant WIP = 0x1514000000000000000000000000000000000000;
    address internal constant MULTICALL3 = 0xcA11bde05977b3631167028862bE2a173976CA11;
}
