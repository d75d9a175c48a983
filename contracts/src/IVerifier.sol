// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The interface of the UltraHonk verifiers bb.js writes (one contract per circuit).
interface IVerifier {
    function verify(bytes calldata proof, bytes32[] calldata publicInputs) external view returns (bool);
}
