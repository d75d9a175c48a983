// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IVerifier} from "../src/IVerifier.sol";

/// @notice Test helper: a verifier whose verdict is "valid" only when it is given at least
/// `needed` gas, as a real verifier that runs out of gas below its cost reverts. It stands for a
/// valid proof whose verification costs `needed`.
contract BudgetVerifier is IVerifier {
    uint256 public immutable needed;

    constructor(uint256 needed_) {
        needed = needed_;
    }

    function verify(bytes calldata, bytes32[] calldata) external view returns (bool) {
        if (gasleft() < needed) revert("out of gas");
        return true;
    }
}
