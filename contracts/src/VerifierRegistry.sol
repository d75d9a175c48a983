// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Registry of circuit verifiers
/// @notice Records which deployed verifier claims to check proofs for which verification key
/// (`vkHash`, the keccak256 of the key's bytes), and which template it claims to be built from
/// (`kind`: 0 the standard one, 1 bb's optimized UltraHonk one). Anyone may register: a
/// registration is only a claim. Whoever relies on it (a requester opening a job, a prover before
/// it bids) rebuilds the verifier of each claimed kind from the key with the pinned compiler
/// settings and compares the deployed code. Several verifiers, and several kinds for one verifier,
/// may be claimed for one key, so nobody can squat a key or a verifier with a bad claim.
contract VerifierRegistry {
    /// @notice The largest template number a claim may name.
    uint8 public constant MAX_KIND = 1;

    /// @notice The address registered has no code.
    error NoCode(address verifier);
    /// @notice The template number is not one the registry knows.
    error UnknownKind(uint8 kind);

    event VerifierRegistered(
        bytes32 indexed vkHash, address indexed verifier, address indexed registrant, uint8 kind
    );

    mapping(bytes32 => mapping(address => bool)) public isVerifierFor;
    /// @notice vkHash => verifier => bit `kind` set for each template claimed for it.
    mapping(bytes32 => mapping(address => uint256)) public kindsOf;

    /// @notice Claims that `verifier` checks proofs for the key hashing to `vkHash`, built from
    /// template `kind`.
    function register(bytes32 vkHash, address verifier, uint8 kind) external {
        if (verifier.code.length == 0) revert NoCode(verifier);
        if (kind > MAX_KIND) revert UnknownKind(kind);
        uint256 bit = 1 << kind;
        if (kindsOf[vkHash][verifier] & bit != 0) return;
        isVerifierFor[vkHash][verifier] = true;
        kindsOf[vkHash][verifier] |= bit;
        emit VerifierRegistered(vkHash, verifier, msg.sender, kind);
    }
}
