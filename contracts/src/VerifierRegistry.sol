// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Registry of circuit verifiers
/// @notice Records which deployed verifier claims to check proofs for which verification key
/// (`vkHash`, the keccak256 of the key's bytes). Anyone may register: a registration is only a
/// claim. Whoever relies on it (a requester opening a job, a prover before it bids) rebuilds the
/// verifier from the key with the pinned compiler settings and compares the deployed code.
/// Several verifiers may be registered for one key, so nobody can squat a key with a bad one.
contract VerifierRegistry {
    error NoCode(address verifier);

    event VerifierRegistered(bytes32 indexed vkHash, address indexed verifier, address indexed registrant);

    mapping(bytes32 => mapping(address => bool)) public isVerifierFor;

    function register(bytes32 vkHash, address verifier) external {
        if (verifier.code.length == 0) revert NoCode(verifier);
        if (isVerifierFor[vkHash][verifier]) return;
        isVerifierFor[vkHash][verifier] = true;
        emit VerifierRegistered(vkHash, verifier, msg.sender);
    }
}
